"""Recordings of questions: staff upload (or record) a clip per question and language; residents
play it on tap, only in their own language; the clip is served from the database by content."""

from __future__ import annotations

import io
import math
import re
import struct
import wave

import pytest
from sqlalchemy import select
from tests.surveys.conftest import Respondent
from tests.surveys.test_page_weight import _weigh

from klankbord.surveys import audio, clips, services
from klankbord.surveys.models import QuestionClip

needs_ffmpeg = pytest.mark.skipif(
    not audio.available(),
    reason="ffmpeg/ffprobe not installed (Debian package ffmpeg; .ci/system-deps.sh installs it)",
)


def sine_wav(seconds: float, rate: int = 16000) -> bytes:
    """A 440 Hz tone as a mono 16-bit WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        out.writeframes(b"".join(frames))
    return buffer.getvalue()


def fake_clip(data: bytes = b"\x1aE\xdf\xa3 not really webm") -> audio.Clip:
    import hashlib

    return audio.Clip(data, audio.MIME, 2000, hashlib.sha256(data).hexdigest())


def upload(
    client, data: bytes, *, survey="koken", question="kitchen_access", lang="nl", name="a.wav"
):
    return client.post(
        "/surveys/audio",
        data={
            "survey": survey,
            "question": question,
            "lang": lang,
            "audio": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


@pytest.fixture
def staff(client, make, versions, login_as):
    org = make.org()
    login_as(make.user(org, "facilitator"))
    return org


# Converting -------------------------------------------------------------------------------


@needs_ffmpeg
def test_convert_makes_a_small_mono_opus_webm():
    clip = audio.convert(sine_wav(2))
    assert clip.mime == "audio/webm"
    assert clip.data[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM file
    assert b"OpusHead" in clip.data[:400] or b"A_OPUS" in clip.data[:400]
    assert 1900 <= clip.duration_ms <= 2100
    assert len(clip.data) < 10_000  # 2 s of speech-rate Opus, not 64 KB of WAV
    assert len(clip.sha256) == 64


@needs_ffmpeg
def test_convert_refuses_what_is_not_a_short_recording():
    with pytest.raises(audio.AudioError) as error:
        audio.convert(b"RIFF1234WAVE" + b"this is no sound at all" * 20)
    assert error.value.code == "not_audio"
    # A playlist naming a local file must not be followed (no demuxer for it is allowed).
    with pytest.raises(audio.AudioError) as error:
        audio.convert(b"#EXTM3U\n#EXTINF:1,\n/etc/passwd\n")
    assert error.value.code == "not_audio"
    with pytest.raises(audio.AudioError) as error:
        audio.convert(sine_wav(3), max_seconds=2)
    assert error.value.code == "too_long"
    with pytest.raises(audio.AudioError) as error:
        audio.convert(b"")
    assert error.value.code == "empty"


# Staff pages ------------------------------------------------------------------------------


@needs_ffmpeg
def test_staff_upload_converts_and_stores_the_clip(client, db, staff):
    page = client.get("/surveys/audio?survey=koken")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    assert "microphone=(self)" in page.headers["Permissions-Policy"]
    response = upload(client, sine_wav(2))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("q=kitchen_access#clip-kitchen_access-nl")
    row = db.session.execute(select(QuestionClip)).scalar_one()
    assert (row.organisation_id, row.survey_id, row.question_id, row.language) == (
        staff.id,
        "koken",
        "kitchen_access",
        "nl",
    )
    assert row.mime == "audio/webm" and row.size == len(row.data) < 10_000
    assert 1900 <= row.duration_ms <= 2100
    listing = client.get("/surveys/audio?survey=koken").get_data(as_text=True)
    assert f"/surveys/audio/{row.id}" in listing and "Replace recording" in listing
    played = client.get(f"/surveys/audio/{row.id}")
    assert played.status_code == 200 and played.get_data() == row.data
    # A second upload replaces the first (one clip per question and language).
    upload(client, sine_wav(1))
    assert db.session.execute(select(QuestionClip)).scalar_one().duration_ms < 1500


def test_bad_files_get_a_dutch_message_and_keep_the_other_clips(
    client, db, make, versions, login_as
):
    org = make.org()
    user = make.user(org, "facilitator", language="nl")
    login_as(user)
    defn = services.definition_of(versions["koken"])
    clips.save_clip(org, defn, "cooking_days", "nl", fake_clip())
    db.session.commit()
    response = upload(client, b"dit is een tekstbestand, geen geluid" * 10, name="notitie.mp3")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    if audio.available():
        assert "geen geluidsbestand" in page
    else:
        assert "ffmpeg" in page
    assert 'id="clip-kitchen_access-nl-err"' in page and "Traceback" not in page
    assert db.session.execute(select(QuestionClip.question_id)).scalars().all() == ["cooking_days"]
    empty = upload(client, b"")
    assert empty.status_code == 422 and "Kies een geluidsbestand" in empty.get_data(as_text=True)


@needs_ffmpeg
def test_too_long_recording_is_refused_in_dutch(client, db, make, versions, login_as, monkeypatch):
    monkeypatch.setattr(audio, "MAX_SECONDS", 2)
    org = make.org()
    login_as(make.user(org, "facilitator", language="nl"))
    response = upload(client, sine_wav(4))
    assert response.status_code == 422
    assert "te lang" in response.get_data(as_text=True)
    assert db.session.execute(select(QuestionClip)).first() is None


def test_policymakers_listen_but_do_not_upload(client, db, make, versions, login_as):
    org = make.org()
    login_as(make.user(org, "policymaker"))
    page = client.get("/surveys/audio?survey=koken").get_data(as_text=True)
    assert "No recording yet." in page and 'action="/surveys/audio"' not in page
    assert upload(client, sine_wav(1)).status_code == 403
    assert client.get("/surveys/audio?survey=nope").status_code == 404


def test_unknown_question_or_language_is_404(client, db, staff):
    assert upload(client, sine_wav(1), question="no_such_question").status_code == 404
    assert upload(client, sine_wav(1), lang="de").status_code == 404


def test_remove_a_clip(client, db, staff, versions):
    clips.save_clip(
        staff, services.definition_of(versions["koken"]), "kitchen_access", "en", fake_clip()
    )
    db.session.commit()
    response = client.post(
        "/surveys/audio/delete",
        data={"survey": "koken", "question": "kitchen_access", "lang": "en"},
    )
    assert response.status_code == 302
    assert db.session.execute(select(QuestionClip)).first() is None


# Residents --------------------------------------------------------------------------------


def _first_question(client, deployment, lang):
    person = Respondent(client, deployment.code, lang)
    person.start()
    person.step()
    assert person.page() == "kitchen_access"
    return person.html


def test_play_button_only_in_the_residents_language(client, db, deploy, versions):
    deployment = deploy("koken")
    defn = services.definition_of(versions["koken"])
    clip = fake_clip()
    clips.save_clip(deployment.organisation, defn, "kitchen_access", "nl", clip)
    db.session.commit()
    nl = _first_question(client, deployment, "nl")
    src = re.search(r'<audio class="rec" controls preload="none" src="([^"]+)"', nl).group(1)
    assert src == f"/s/{deployment.code}/audio/clip/kitchen_access/nl/{clip.sha256[:16]}.webm"
    assert "data-say" not in nl.split("<main", 1)[1]  # the recording replaces the phone's voice
    # Tigrinya has no recording: no player (never the Dutch one), the read-aloud hook instead.
    ti = _first_question(client, deployment, "ti")
    assert "<audio" not in ti and "data-say" in ti.split("<main", 1)[1]


def test_clip_route_serves_bytes_with_long_cache_and_no_cookie(client, db, deploy, versions):
    deployment = deploy("koken")
    defn = services.definition_of(versions["koken"])
    clip = fake_clip(b"\x1aE\xdf\xa3" + bytes(range(256)) * 4)
    clips.save_clip(deployment.organisation, defn, "kitchen_access", "ar", clip)
    db.session.commit()
    url = f"/s/{deployment.code}/audio/clip/kitchen_access/ar/{clip.sha256[:16]}.webm"
    response = client.get(url)
    assert response.status_code == 200
    assert response.get_data() == clip.data
    assert response.mimetype == "audio/webm"
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    assert response.headers["ETag"] == f'"{clip.sha256}"'
    assert "Set-Cookie" not in response.headers
    again = client.get(url, headers={"If-None-Match": f'"{clip.sha256}"'})
    assert again.status_code == 304
    # Phones' players ask for ranges (Safari insists on them).
    part = client.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.get_data() == clip.data[:10]


def test_clip_route_is_404_across_surveys_organisations_and_old_digests(
    client, db, deploy, versions, make
):
    koken = deploy("koken")
    defn = services.definition_of(versions["koken"])
    clip = fake_clip()
    clips.save_clip(koken.organisation, defn, "kitchen_access", "nl", clip)
    db.session.commit()
    name = f"clip/kitchen_access/nl/{clip.sha256[:16]}.webm"
    assert client.get(f"/s/{koken.code}/audio/{name}").status_code == 200
    # The same survey deployed by another organisation: not its recording.
    other = deploy("koken", make.org())
    assert client.get(f"/s/{other.code}/audio/{name}").status_code == 404
    # Another survey of the same organisation: not its question.
    wonen = deploy("wonen", koken.organisation)
    assert client.get(f"/s/{wonen.code}/audio/{name}").status_code == 404
    # A replaced clip's old address no longer answers (browsers keep it for good).
    clips.save_clip(koken.organisation, defn, "kitchen_access", "nl", fake_clip(b"newer bytes"))
    db.session.commit()
    assert client.get(f"/s/{koken.code}/audio/{name}").status_code == 404
    assert client.get(f"/s/{koken.code}/audio/clip/../../x.webm").status_code == 404


def test_page_weight_is_unchanged_without_clips_and_small_with_one(client, db, deploy, versions):
    deployment = deploy("koken")
    cache: dict = {}
    before = _weigh(client, _first_question(client, deployment, "nl"), cache)
    assert "<audio" not in _first_question(client, deployment, "nl")
    defn = services.definition_of(versions["koken"])
    clips.save_clip(deployment.organisation, defn, "kitchen_access", "nl", fake_clip())
    db.session.commit()
    html = _first_question(client, deployment, "nl")
    after = _weigh(client, html, cache)
    # The player is a tag: the clip itself loads only on tap (preload="none").
    assert 'preload="none"' in html
    assert 0 < after - before < 200, (before, after)
    print(f"first koken question, nl: {before} bytes gzip without a clip, {after} with one")


def test_demo_ships_spoken_first_questions(client, db, make):
    from klankbord.surveys.cli import DEMO_CLIPS, seed_demo_surveys
    from klankbord.surveys.models import Deployment

    org = make.org()
    make.location(org, "AZC Voorbeeldstad-Oost")
    seed_demo_surveys(org)
    db.session.commit()
    rows = db.session.execute(select(QuestionClip)).scalars().all()
    assert {(r.question_id, r.language) for r in rows} >= {
        ("kitchen_access", "nl"),
        ("kitchen_access", "ar"),
        ("cooking_days", "en"),
    }
    for row in rows:
        assert row.organisation_id == org.id and row.mime == "audio/webm"
        assert row.data[:4] == b"\x1a\x45\xdf\xa3" and row.size < 20_000
        if audio.available():  # the manifest's duration is the file's
            probed = audio._seconds(
                audio._probe(DEMO_CLIPS / f"demo-koken-{row.question_id}-{row.language}.webm")
            )
            assert abs(probed * 1000 - row.duration_ms) < 50
    deployments = db.session.execute(select(Deployment)).scalars().all()
    deployment = next(d for d in deployments if d.version.survey_id == "koken")
    assert "<audio" in _first_question(client, deployment, "ar")
    assert "<audio" not in _first_question(client, deployment, "fa")


@needs_ffmpeg
def test_uploads_larger_than_the_app_body_limit_pass_on_this_route_only(app, client, db, staff):
    """A recording is bigger than the app's 256 KiB body limit; the upload route alone takes up to
    audio.MAX_UPLOAD_BYTES, and the limit is raised before the CSRF check reads the form."""
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/surveys/audio?survey=koken").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    big = sine_wav(5, rate=48000)  # 480 kB of WAV
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/surveys/audio",
        data={
            "csrf_token": token,
            "survey": "koken",
            "question": "kitchen_access",
            "lang": "tr",
            "audio": (io.BytesIO(big), "lang.wav"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.execute(select(QuestionClip.language)).scalar_one() == "tr"
    # Elsewhere the small limit holds, and this route has a ceiling too.
    too_big = b"\0" * (audio.MAX_UPLOAD_BYTES + 128 * 1024)
    assert upload(client, too_big).status_code == 413
    assert client.post("/surveys/audio/delete", data={"x": "y" * 300_000}).status_code == 413


def test_a_clip_of_an_older_wording_is_not_played(client, db, deploy, versions, make, login_as):
    """A recording must say what the page says: a version that rewords the question does not
    play it (the version that still has the words does), and staff are told to record again."""
    from dataclasses import replace

    from klankbord.surveys.definitions import TextMap, _with_hash

    old = deploy("koken")
    org = old.organisation
    defn = services.definition_of(versions["koken"])
    clips.save_clip(org, defn, "kitchen_access", "nl", fake_clip())
    db.session.commit()
    question = defn.question("kitchen_access")
    reworded = replace(question, text=TextMap({**question.text, "nl": "Kunt u hier koken?"}))
    questions = tuple(reworded if q.id == question.id else q for q in defn.questions)
    (result,) = services.store_versions([_with_hash(replace(defn, questions=questions))])
    db.session.commit()
    assert result.version.number == 2
    new = services.create_deployment(
        org, result.version, [make.location(org)], old.opens_at, old.closes_at
    )
    db.session.commit()
    assert "<audio" not in _first_question(client, new, "nl")
    assert "<audio" in _first_question(client, old, "nl")
    # Its address answers for the old wording's deployment only.
    name = clips.clip_for(org.id, "koken", "kitchen_access", "nl").filename
    assert client.get(f"/s/{old.code}/audio/{name}").status_code == 200
    assert client.get(f"/s/{new.code}/audio/{name}").status_code == 404
    login_as(make.user(org, "facilitator"))
    page = client.get("/surveys/audio?survey=koken").get_data(as_text=True)
    assert "worded differently since this recording" in page
