"""Issue 15: staff read a Dutch aid, marked as not a translation, beside every non-Dutch idea."""

from __future__ import annotations

from html import unescape

from tests.conftest import login

from klankbord.analysis import load_codebook
from klankbord.meetings import services


def test_live_list_and_summary_give_a_dutch_aid_for_non_dutch_ideas(client, live, db):
    login(client, live.facilitator)
    live.facilitator.language = "nl"  # the staff interface in Dutch (the catalogue is tested too)
    services.submit_idea(live.meeting, "Ik wil zelf koken voor mijn kinderen.", "nl")
    arabic = services.submit_idea(live.meeting, "أريد أن أطبخ بنفسي لأطفالي", "ar")
    db.session.commit()
    cooking = next(t for t in load_codebook() if t.id == "koken")

    page = unescape(client.get(f"/meetings/{live.meeting.id}/live").get_data(as_text=True))
    assert page.count("Geen vertaling") == 1  # only beside the Arabic idea, not the Dutch one
    assert cooking.gist["nl"] in page
    assert "Dichtstbijzijnde Nederlandse tekst over hetzelfde onderwerp:" in page
    assert "<q>Ik wil zelf koken voor mijn kinderen.</q>" in page

    services.moderate_idea(arabic, "approved")
    services.finish_meeting(live.meeting)
    db.session.commit()
    summary = unescape(client.get(f"/meetings/{live.meeting.id}/summary").get_data(as_text=True))
    assert summary.count("Geen vertaling") == 1 and cooking.gist["nl"] in summary
