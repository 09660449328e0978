"""Participant pages (/m/<code>) and the group's public page (/g/<code>): no login, no
personal data.

A participant is a random id in the signed session cookie, never stored; supports and poll answers
keep only a keyed hash of it. Every refusal is answered in the participant's language and stores
nothing. Pages are tiny (own base template and CSS) and work without script; a small script polls
``state.json`` so phones follow the room.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError

from klankbord.core.access import public_endpoint
from klankbord.core.i18n import text_direction
from klankbord.core.languages import LANGUAGE_NAMES, known, ordered
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.models import (
    ALIAS_MAX_LENGTH,
    IDEA_MAX_LENGTH,
    IdeaStatus,
    Meeting,
    MeetingIdea,
    MeetingPoll,
)
from klankbord.meetings.ui_text import LANGUAGES, TEXT, bundle, t

public = Blueprint("meetings_public", __name__, template_folder="templates")

#: Seconds between two polls of the state endpoint by a phone.
POLL_SECONDS = 4


@public.url_value_preprocessor
def _language_from_url(endpoint, values) -> None:
    lang = (values or {}).get("lang") or request.args.get("lang")
    if lang in LANGUAGES:
        g.respondent_locale = lang


@public.app_context_processor
def _participant_helpers():
    return {"ui_texts": TEXT}


def _render(template: str, lang: str, status: int = 200, **context):
    return render_template(
        template,
        lang=lang,
        dir=text_direction(lang),
        ui=bundle(lang),
        language_names=LANGUAGE_NAMES,
        **context,
    ), status


def _participant_id() -> str:
    if "mp" not in session:
        session["mp"] = secrets.token_urlsafe(16)
    return session["mp"]


def _meeting_or_none(code: str) -> Meeting | None:
    return services.find_meeting_by_code(code)


def _languages_of(meeting: Meeting) -> list[str]:
    return ordered(["nl", *(meeting.group.languages or [])])


def _unknown(lang: str | None = None):
    return _render(
        "meetings/participant_message.html",
        lang or "nl",
        404,
        key="unknown_code",
        all_languages=lang is None,
    )


@public.get("/m")
@public_endpoint
def enter_code():
    """Type a meeting code (or come from the QR code with ``?code=``)."""
    code = request.args.get("code", "")
    if code:
        meeting = _meeting_or_none(code)
        if meeting is None:
            return _render("meetings/participant_code.html", "nl", 404, error=True, code=code[:24])
        return redirect(url_for("meetings_public.join", code=meeting.join_code))
    return _render("meetings/participant_code.html", "nl", error=False, code="")


@public.get("/m/<code>")
@public_endpoint
def join(code: str):
    """Choose a language for the meeting of a join code."""
    meeting = _meeting_or_none(code)
    if meeting is None:
        return _unknown()
    if code != meeting.join_code:
        return redirect(url_for("meetings_public.join", code=meeting.join_code))
    if meeting.is_finished:
        return _render(
            "meetings/participant_message.html",
            "nl",
            410,
            key="finished",
            all_languages=True,
            group_code=meeting.group.public_code,
        )
    return _render(
        "meetings/participant_languages.html",
        "nl",
        meeting=meeting,
        languages=_languages_of(meeting),
    )


def _live_meeting(code: str, lang: str) -> Meeting:
    """The meeting of a participant route, or a 404 page in the participant's language."""
    if lang not in LANGUAGES:
        abort(make_response(*_unknown()))
    meeting = _meeting_or_none(code)
    if meeting is None:
        abort(make_response(*_unknown(lang)))
    return meeting


@public.get("/m/<code>/<lang>")
@public_endpoint
def room(code: str, lang: str):
    """The room on a participant's phone, in their language."""
    return _room_page(code, lang)


def _room_page(code: str, lang: str, draft: str = ""):
    """The room; ``draft`` gives back text that was refused, in the page (never in a cookie)."""
    if lang not in LANGUAGES:
        return _unknown()
    meeting = _meeting_or_none(code)
    if meeting is None:
        return _unknown(lang)
    if meeting.is_finished:
        return _render(
            "meetings/participant_message.html",
            lang,
            410,
            key="finished",
            all_languages=False,
            group_code=meeting.group.public_code,
        )
    participant = _participant_id()
    item = meeting.current_item if meeting.is_live else None
    question, question_lang = services.pick(item.question, lang) if item else ("", lang)
    poll = services.open_poll_of(meeting) if meeting.is_live else None
    ideas = services.approved_ideas(meeting, item.id) if item else []
    return _render(
        "meetings/participant_room.html",
        lang,
        meeting=meeting,
        item=item,
        question=question,
        question_lang=question_lang,
        question_dir=text_direction(question_lang),
        poll=poll,
        poll_answered=bool(
            poll and services.has_answered(poll, services.poll_key(poll.id, participant))
        ),
        pick=services.pick,
        ideas=ideas,
        supported=services.supported_idea_ids(ideas, participant),
        version=services.live_version(meeting),
        idea_max=IDEA_MAX_LENGTH,
        alias_max=ALIAS_MAX_LENGTH,
        poll_seconds=POLL_SECONDS,
        text_direction=text_direction,
        draft=draft,
        partial=wants_part(),
        layout=_layout(meeting, item),
    )


def _layout(meeting: Meeting, item) -> str:
    """Which parts the live region has: the script swaps the whole region when this changes."""
    return f"{meeting.status}-item" if item else meeting.status


def wants_part() -> bool:
    """The live script asks for the page's live region only (``?part=1`` or a POST it sent)."""
    return request.args.get("part") == "1" or request.headers.get("X-Live-Part") == "1"


@public.get("/m/<code>/<lang>/state.json")
@public_endpoint
def state(code: str, lang: str):
    """What the room shows now, with an ETag from the meeting's counter: 304 reads one row."""
    if lang not in LANGUAGES:
        return _unknown()
    versions = services.live_versions(code=code)
    if versions is None:
        return _unknown(lang)
    etag = f"room-{versions.room_version}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = jsonify(services.participant_state(_live_meeting(code, lang), lang))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-store"  # the live script keeps the ETag itself
    return response


def _back(meeting: Meeting, lang: str, *, changes_room: bool = True):
    if wants_part():  # sent by the live script: answer with the fresh live region, no redirect
        if not changes_room:  # only the message is new: no need to read the room again
            return _render(
                "meetings/participant_room.html",
                lang,
                meeting=meeting,
                version=meeting.room_version,
                layout=_layout(meeting, meeting.current_item_id if meeting.is_live else None),
                poll_seconds=POLL_SECONDS,
                partial=True,
                messages_only=True,
            )
        return room(meeting.join_code, lang)
    return redirect(url_for("meetings_public.room", code=meeting.join_code, lang=lang) + "#main")


def _refused(error: services.InputRejected, lang: str) -> None:
    flash(t(error.key, lang, **error.values), "error")


@public.post("/m/<code>/<lang>/idea")
@public_endpoint
def send_idea(code: str, lang: str):
    """Send an idea for the current agenda item; refused text is given back."""
    meeting = _live_meeting(code, lang)
    try:
        services.submit_idea(meeting, request.form.get("text", ""), lang, request.form.get("alias"))
    except services.InputRejected as error:
        db.session.rollback()
        _refused(error, lang)
        if not wants_part():
            # Give the text back so nothing typed on a small screen is lost: in this response,
            # not in the session cookie (signed, not encrypted; the text is not scrubbed yet).
            # The live script keeps the text in the phone's field and only needs the message.
            return _room_page(meeting.join_code, lang, _draft())
    else:
        db.session.commit()
        flash(t("idea_sent", lang), "success")
    return _back(meeting, lang, changes_room=False)


def _draft() -> str:
    return (request.form.get("text") or "")[: IDEA_MAX_LENGTH * 2]


@public.post("/m/<code>/<lang>/support/<int:idea_id>")
@public_endpoint
def support(code: str, lang: str, idea_id: int):
    """Give an approved idea a +1 (once per participant)."""
    meeting = _live_meeting(code, lang)
    idea = db.session.get(MeetingIdea, idea_id)
    if idea is None or idea.meeting_id != meeting.id or idea.status != IdeaStatus.APPROVED.value:
        abort(404)
    key = services.support_key(idea.id, _participant_id())
    try:
        services.support_idea(idea, key)
        db.session.commit()
    except services.InputRejected as error:
        db.session.rollback()
        _refused(error, lang)
    except IntegrityError:  # the same participant twice at the same moment
        db.session.rollback()
        flash(t("support_already", lang), "error")
    else:
        flash(t("support_thanks", lang), "success")
    return _back(meeting, lang)


@public.post("/m/<code>/<lang>/poll/<int:poll_id>")
@public_endpoint
def answer(code: str, lang: str, poll_id: int):
    """Answer the open poll (once per participant)."""
    meeting = _live_meeting(code, lang)
    poll = db.session.get(MeetingPoll, poll_id)
    if poll is None or poll.meeting_id != meeting.id:
        abort(404)
    key = services.poll_key(poll.id, _participant_id())
    try:
        services.answer_poll(poll, key, request.form.get("option", type=int), lang)
        db.session.commit()
    except services.InputRejected as error:
        db.session.rollback()
        _refused(error, lang)
    except IntegrityError:
        db.session.rollback()
        flash(t("poll_already", lang), "error")
    else:
        flash(t("poll_thanks", lang), "success")
    return _back(meeting, lang)


@public.errorhandler(CSRFError)
def _expired(error):
    """An expired form token: the room again, in the participant's language, with a 400."""
    lang = (request.view_args or {}).get("lang")
    lang = known(lang)
    code = (request.view_args or {}).get("code")
    meeting = _meeting_or_none(code) if code else None
    if meeting is None:
        return _render(
            "meetings/participant_message.html", lang, 400, key="expired", all_languages=False
        )
    draft = _draft() if request.path.endswith("/idea") else ""
    flash(t("expired", lang), "error")
    # The room again (a fresh token, the typed text given back), answered 400: nothing was stored.
    body, _status = _room_page(meeting.join_code, lang, draft)
    return body, 400


# Public group page ---------------------------------------------------------------------------


@public.get("/g/<code>")
@public_endpoint
def group_page(code: str):
    """A group's public page: its published updates in the reader's language."""
    group = services.find_group_by_public_code(code)
    lang = request.args.get("lang", "nl")
    if lang not in LANGUAGES:
        lang = "nl"
    if group is None:
        return _unknown(lang)
    if code != group.public_code:
        return redirect(url_for("meetings_public.group_page", code=group.public_code, lang=lang))
    languages = ordered(["nl", *group.languages])
    updates = []
    for row in services.published_updates(group):
        title, title_lang = services.pick(row.title, lang)
        result, result_lang = services.pick(row.result, lang)
        not_done, not_done_lang = services.pick(row.not_done, lang)
        updates.append(
            {
                "row": row,
                "title": (title, title_lang),
                "result": (result, result_lang),
                "not_done": (not_done, not_done_lang),
            }
        )
    return _render(
        "meetings/public_group.html",
        lang,
        group=group,
        updates=updates,
        languages=languages,
        text_direction=text_direction,
    )
