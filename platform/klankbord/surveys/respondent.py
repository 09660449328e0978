"""Answering a survey without an account: /s/<code>.

Design decisions:

* **No server-side or cookie state.** Every page is a form that carries the answers given so far in
  hidden fields (``a.<question id>``), the submission key and a token. Nothing unfinished is stored
  in the database, and the flow sets no cookie at all. This also means a page that sat on a phone
  for a day still works: Flask's signed session would have expired after
  ``PERMANENT_SESSION_LIFETIME``.
* **CSRF without expiry inside the survey window.** The key is made when the first form is shown;
  the token is an HMAC of the deployment code and the key with the app's secret, so it cannot be
  made up and stays valid until the deployment closes. On top, a POST whose ``Sec-Fetch-Site`` (or,
  without it, its ``Origin``) says it came from another site is refused. (``Origin`` is ``null`` on
  same-origin posts because the site sends ``Referrer-Policy: no-referrer``; that value is therefore
  not taken as foreign.)
* **Idempotent submission.** The same key with the same answers returns the same receipt and stores
  once; the same key with other answers is refused (409) and the first answers are kept. The receipt
  is shown only after the commit, through a redirect, so a reload does not post again.
* Respondent pages speak the language in the URL; their texts come from the survey (YAML) and
  ``ui_text`` (buttons, messages), not from gettext.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from urllib.parse import urlsplit

from babel.dates import format_datetime
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)

from klankbord.core.access import public_endpoint
from klankbord.core.i18n import LANGUAGE_NAMES, text_direction
from klankbord.surveys import answering, clips, icons, services, ui_text
from klankbord.surveys.definitions import SurveyDefinition, visible_questions

bp = Blueprint("respond", __name__, url_prefix="/s", template_folder="templates")

_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_RECEIPT = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")
_NAV = re.compile(r"^(next|back|goto:[a-z][a-z0-9_]{0,63})$")


class Context:
    """The deployment, its definition and the chosen language of one request."""

    def __init__(self, deployment, defn: SurveyDefinition, lang: str) -> None:
        self.deployment = deployment
        self.defn = defn
        self.lang = lang
        self.code = deployment.code

    def tx(self, mapping) -> str:
        return self.defn.text(mapping, self.lang)


# Helpers -------------------------------------------------------------------------------------


def _best_language(offered) -> str:
    return request.accept_languages.best_match(list(offered)) or (offered[0] if offered else "nl")


def form_token(code: str, key: str) -> str:
    """The long-lived form token for a deployment and submission key."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"survey-form:{code}:{key}".encode(), hashlib.sha256).hexdigest()[:40]


def _token_ok(code: str, key: str, token: str) -> bool:
    return bool(_KEY.match(key or "")) and hmac.compare_digest(form_token(code, key), token or "")


def cross_site_request() -> bool:
    """Return True when the browser says the POST came from another site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() != request.host.lower()
    return False


def _message(
    title_key: str,
    text_key: str,
    lang: str,
    status: int,
    *,
    ctx: Context | None = None,
    languages=None,
    code: str | None = None,
    **params,
):
    g.respondent_locale = lang
    return render_template(
        "surveys/respondent/message.html",
        lang=lang,
        dir=text_direction(lang),
        ctx=ctx,
        code=code,
        title=ui_text.text(title_key, lang),
        text=ui_text.text(text_key, lang, **params),
        languages=languages or (),
        title_key=title_key,
    ), status


def _unknown(code: str, lang: str | None = None):
    lang = lang if lang in ui_text.LANGUAGES else _best_language(ui_text.LANGUAGES)
    return _message(
        "not_found_title", "not_found_text", lang, 404, languages=ui_text.LANGUAGES, code=code
    )


def _load(code: str, lang: str, *, need_open: bool = True):
    """Return a Context, or a finished response for an unknown/closed deployment or unknown
    language."""
    deployment = services.deployment_by_code(code)
    if deployment is None:
        return _unknown(code, lang)
    defn = services.definition_of(deployment.version)
    offered = defn.language_codes
    if lang not in offered:
        return redirect(url_for("respond.choose", code=deployment.code))
    g.respondent_locale = lang
    ctx = Context(deployment, defn, lang)
    if need_open:
        state = services.deployment_state(deployment)
        if state == "not_open":
            when = _format_moment(deployment.opens_at, lang)
            return _message("not_open_title", "not_open_text", lang, 403, ctx=ctx, date=when)
        if state == "closed":
            return _message("closed_title", "closed_text", lang, 410, ctx=ctx)
    return ctx


def _format_moment(moment, lang: str) -> str:
    try:
        from datetime import UTC

        return format_datetime(
            moment.replace(tzinfo=UTC),
            "d MMMM y, HH:mm",
            tzinfo=current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam"),
            locale=lang,
        )
    except Exception:  # Babel lacks data for a locale: fall back to ISO
        return moment.strftime("%Y-%m-%d %H:%M") + " UTC"


def _render(template: str, ctx: Context, status: int = 200, **context):
    return render_template(
        f"surveys/respondent/{template}",
        ctx=ctx,
        lang=ctx.lang,
        dir=text_direction(ctx.lang),
        **context,
    ), status


def _audio_files(defn: SurveyDefinition) -> set[str]:
    files = set()
    for question in defn.questions:
        files.update(question.audio.values())
        for option in question.options:
            files.update(option.audio.values())
    return files


@bp.context_processor
def _respondent_helpers():
    lang = getattr(g, "respondent_locale", None) or "nl"

    def t(key: str, **params) -> str:
        return ui_text.text(key, lang, **params)

    return {
        "t": t,
        "icon": icons.icon,
        "language_names": LANGUAGE_NAMES,
        "text_direction": text_direction,
        "error_text": lambda err: ui_text.error_text(err.code, lang, err.params),
    }


# Pages ---------------------------------------------------------------------------------------


@bp.get("/sw.js")
@public_endpoint
def service_worker():
    """The outbox service worker, served under /s/ so that its scope is the survey pages only."""
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"  # a new version reaches phones at once
    return response


@bp.get("/<code>")
@public_endpoint
def choose(code: str):
    """Choose a language: each named in its own script."""
    deployment = services.deployment_by_code(code)
    if deployment is None:
        return _unknown(code)
    defn = services.definition_of(deployment.version)
    lang = defn.default_language
    g.respondent_locale = lang
    ctx = Context(deployment, defn, lang)
    slip = services.normalise_code(request.args.get("slip")) or None
    return _render("choose.html", ctx, slip=slip, target="respond.intro")


@bp.get("/<code>/<lang>")
@public_endpoint
def intro(code: str, lang: str):
    ctx = _load(code, lang)
    if not isinstance(ctx, Context):
        return ctx
    slip_code = services.normalise_code(request.args.get("slip")) or None
    slip_error = None
    if slip_code:
        slip = services.find_slip(ctx.deployment, slip_code)
        if slip is None:
            slip_error = "slip_unknown"
        elif slip.used:
            return _render(
                "slip.html", ctx, 409, problem="slip_used", slip=slip_code, show_results=True
            )
    if slip_error or (ctx.deployment.slip_required and not slip_code):
        return _render(
            "slip.html",
            ctx,
            404 if slip_error else 200,
            problem=slip_error,
            slip=slip_code,
            show_results=False,
        )
    key = secrets.token_urlsafe(16)
    return _render(
        "intro.html", ctx, key=key, token=form_token(ctx.code, key), slip=slip_code, answers=[]
    )


@bp.get("/<code>/<lang>/stop")
@public_endpoint
def stopped(code: str, lang: str):
    ctx = _load(code, lang, need_open=False)
    if not isinstance(ctx, Context):
        return ctx
    return _message("stopped_title", "stopped_text", lang, 200, ctx=ctx)


def _guard_post(ctx: Context):
    """Check token, key and origin of a respondent POST; return an error response or None."""
    if cross_site_request():
        return _message("bad_request_title", "bad_request_text", ctx.lang, 403, ctx=ctx)
    form = request.form
    if not _token_ok(ctx.code, form.get("key", ""), form.get("token", "")):
        return _message("bad_request_title", "bad_request_text", ctx.lang, 400, ctx=ctx)
    if answering.unknown_fields(ctx.defn, form.keys()):
        return _message("bad_request_title", "bad_request_text", ctx.lang, 400, ctx=ctx)
    return None


def _form_state(ctx: Context) -> dict:
    form = request.form
    slip = services.normalise_code(form.get("slip")) or None
    return {"key": form["key"], "token": form["token"], "slip": slip}


def _question_page(
    ctx: Context, state: dict, answers: dict, question, errors=None, status: int = 200
):
    """One question; a typed answer that was refused (a number out of range) comes back as typed,
    next to its message, so the resident corrects it instead of typing it again."""
    shown = visible_questions(ctx.defn, answers)
    ids = [q.id for q in shown]
    number = ids.index(question.id) + 1 if question.id in ids else 1
    # A total is only shown when it cannot change: with branches it would grow as they open.
    branched = any(q.show_if is not None for q in ctx.defn.questions)
    # The staff's recording in the resident's language only: never one in another language.
    # And only when it says the question as this version words it.
    clip = clips.clip_for(ctx.deployment.organisation_id, ctx.defn.id, question.id, ctx.lang)
    if not clips.matches(clip, ctx.defn):
        clip = None
    return _render(
        "question.html",
        ctx,
        status,
        q=question,
        clip=clip,
        number=number,
        total=None if branched else len(shown),
        state=state,
        hidden=answering.hidden_values(answers, skip=[question.id]),
        answer=_typed(question) if (errors or {}).get(question.id) else answers.get(question.id),
        error=(errors or {}).get(question.id),
    )


#: The longest refused answer sent back into a number field (free text has its own maximum).
_TYPED_NUMBER_MAX = 40


def _typed(question):
    """What the resident typed for a number or text question, or the parsed answer for options."""
    if question.has_options:
        return None
    raw = request.form.get(f"a.{question.id}")
    if raw is None:
        return None
    limit = getattr(question, "max_length", None) or _TYPED_NUMBER_MAX
    return raw[: limit if question.type != "number" else _TYPED_NUMBER_MAX]


def _check_page(ctx: Context, state: dict, answers: dict, errors=None, status: int = 200):
    shown = answering.shown_answers(ctx.defn, answers)
    return _render(
        "check.html",
        ctx,
        status,
        state=state,
        questions=visible_questions(ctx.defn, answers),
        answers=shown,
        hidden=answering.hidden_values(shown),
        errors=errors or {},
    )


def answer_label(
    question, answer, lang: str, defn: SurveyDefinition
) -> list[tuple[str | None, str]]:
    """Return (icon, text) pairs that show an answer on the check page."""
    if answer is None:
        return []
    if question.has_options:
        values = answer if isinstance(answer, list) else [answer]
        return [(question.option(v).icon, defn.text(question.option(v).text, lang)) for v in values]
    return [(None, str(answer))]


bp.add_app_template_global(answer_label, "survey_answer_label")


@bp.post("/<code>/<lang>/q")
@public_endpoint
def step(code: str, lang: str):
    """Move between pages; the answers so far travel in the form."""
    ctx = _load(code, lang)
    if not isinstance(ctx, Context):
        return ctx
    problem = _guard_post(ctx)
    if problem is not None:
        return problem
    form = request.form
    state = _form_state(ctx)
    nav = form.get("nav", "next")
    page = form.get("page", "")
    if not _NAV.match(nav) or not (
        page in ("", "check") or page in {q.id for q in ctx.defn.questions}
    ):
        return _message("bad_request_title", "bad_request_text", ctx.lang, 400, ctx=ctx)
    answers, errors = answering.parse_answers(ctx.defn, form)
    order = [q.id for q in ctx.defn.questions]
    if errors:
        first = page if page in errors else next(qid for qid in order if qid in errors)
        return _question_page(ctx, state, answers, ctx.defn.question(first), errors, 422)
    shown = visible_questions(ctx.defn, answers)
    if page not in ("", "check") and nav == "next":
        current = ctx.defn.question(page)
        if current.required and page not in answers and current in shown:
            return _question_page(
                ctx, state, answers, current, {page: answering.AnswerError("required")}, 422
            )
    if nav.startswith("goto:"):
        target = nav[5:]
        match = next((q for q in shown if q.id == target), None)
        if match is None:
            return _check_page(ctx, state, answers)
        return _question_page(ctx, state, answers, match)
    position = -1 if page == "" else (len(order) if page == "check" else order.index(page))
    if nav == "next":
        following = [q for q in shown if order.index(q.id) > position]
        if not following:
            return _check_page(ctx, state, answers)
        return _question_page(ctx, state, answers, following[0])
    earlier = [q for q in shown if order.index(q.id) < position]
    if not earlier:
        return _render(
            "intro.html",
            ctx,
            key=state["key"],
            token=state["token"],
            slip=state["slip"],
            answers=answering.hidden_values(answers),
        )
    return _question_page(ctx, state, answers, earlier[-1])


def _thanks_redirect(code: str, lang: str, receipt: str, slip: str | None):
    params = {"receipt": receipt}
    if slip:
        params["slip"] = slip
    return redirect(url_for("respond.thanks", code=code, lang=lang, **params), 303)


def _submit_quickly(code: str, lang: str):
    """The quick path of a first, complete submission to a deployment this process has seen:
    the same checks as :func:`submit` (origin, token, fields, answers), but the deployment is not
    loaded; the INSERT itself checks that it is open (``services.submit_if_open``). Returns the
    redirect to the receipt, or None to take the full path, which answers everything else (a
    closed survey, a slip, a repeat, a refused answer) exactly as before."""
    target = services.remembered_target(code)
    defn = services.cached(target.content_hash) if target is not None else None
    if defn is None or lang not in defn.language_codes or cross_site_request():
        return None
    form = request.form
    key = form.get("key", "")
    if (
        not _token_ok(target.code, key, form.get("token", ""))
        or form.get("slip")
        or answering.unknown_fields(defn, form.keys())
    ):
        return None
    answers, errors = answering.parse_answers(defn, form)
    if errors or answering.missing_required(defn, answers):
        return None
    receipt = services.submit_if_open(target, defn, lang, key, answers)
    if receipt is None:
        return None
    # What url_for("respond.thanks", ...) gives, without the URL map: the code, the language (one
    # of the survey's) and the receipt consist of letters, digits and "-" only.
    return redirect(f"{request.script_root}/s/{target.code}/{lang}/thanks?receipt={receipt}", 303)


@bp.post("/<code>/<lang>/submit")
@public_endpoint
def submit(code: str, lang: str):
    """Store the answers once (idempotent per submission key), then show the receipt."""
    quick = _submit_quickly(code, lang)
    if quick is not None:
        return quick
    ctx = _load(code, lang)
    if not isinstance(ctx, Context):
        return ctx
    services.remember_target(code, ctx.deployment)
    problem = _guard_post(ctx)
    if problem is not None:
        return problem
    state = _form_state(ctx)
    answers, errors = answering.parse_answers(ctx.defn, request.form)
    if not errors:
        errors = answering.missing_required(ctx.defn, answers)
    if errors:
        return _check_page(ctx, state, answers, errors, 422)
    if ctx.deployment.slip_required and not state["slip"]:
        return _render("slip.html", ctx, 400, problem="slip_unknown", slip=None, show_results=False)
    try:
        receipt = services.submit_with_retry(
            ctx.deployment, ctx.defn, ctx.lang, state["key"], answers, slip_code=state["slip"]
        )
    except services.SubmissionConflict:
        return _message("bad_request_title", "conflict", ctx.lang, 409, ctx=ctx)
    except services.SlipProblem as problem_:
        reason = "slip_used" if problem_.reason == "used" else "slip_unknown"
        return _render(
            "slip.html",
            ctx,
            409,
            problem=reason,
            slip=state["slip"],
            show_results=problem_.reason == "used",
        )
    return _thanks_redirect(ctx.code, ctx.lang, receipt, state["slip"])


@bp.get("/<code>/<lang>/thanks")
@public_endpoint
def thanks(code: str, lang: str):
    ctx = _load(code, lang, need_open=False)
    if not isinstance(ctx, Context):
        return ctx
    receipt = request.args.get("receipt", "")
    slip = services.normalise_code(request.args.get("slip")) or None
    return _render(
        "thanks.html", ctx, receipt=receipt if _RECEIPT.match(receipt) else None, slip=slip
    )


# Results for slip holders ------------------------------------------------------------------


@bp.get("/<code>/results")
@public_endpoint
def results_choose(code: str):
    deployment = services.deployment_by_code(code)
    if deployment is None:
        return _unknown(code)
    defn = services.definition_of(deployment.version)
    g.respondent_locale = defn.default_language
    ctx = Context(deployment, defn, defn.default_language)
    slip = services.normalise_code(request.args.get("slip")) or None
    return _render("choose.html", ctx, slip=slip, target="respond.results")


@bp.get("/<code>/<lang>/results")
@public_endpoint
def results(code: str, lang: str):
    """What residents said (the survey round's released figures) and what the municipality will
    do. Open to anyone with the survey's link: released figures are the same for every reader, so
    a slip adds no protection (residents without one saw nothing before, issue 16)."""
    ctx = _load(code, lang, need_open=False)
    if not isinstance(ctx, Context):
        return ctx
    from klankbord.reports.releases import survey_round_results

    min_size = max(ctx.deployment.organisation.min_group_size or 0, 5)
    rows, release = survey_round_results(ctx.deployment, ctx.defn, min_size)
    follow_up = ctx.deployment.follow_up or {}
    follow_lang = lang if lang in follow_up else next(iter(follow_up), None)
    return _render(
        "results.html",
        ctx,
        rows=rows or [],
        data_until=release.data_until.isoformat() if release else None,
        min_size=min_size,
        follow_up=follow_up.get(follow_lang) if follow_lang else None,
        follow_lang=follow_lang,
    )


@bp.get("/<code>/audio/<path:filename>")
@public_endpoint
def audio(code: str, filename: str):
    """Serve a recording of the deployment's survey, and nothing else.

    Two kinds: files named in the survey's YAML (from the survey directory), and the
    organisation's own recordings (``clip/<question>/<lang>/<digest>.webm``, from the database,
    so every node serves them). A clip's URL names its content, so a browser keeps it for good
    and asks again only with If-None-Match; no cookie is set and the log names the route only.
    """
    deployment = services.deployment_by_code(code)
    if deployment is None:
        abort(404)
    defn = services.definition_of(deployment.version)
    if filename in _audio_files(defn):
        return send_from_directory(
            current_app.config["SURVEYS_DIR"], filename, conditional=True, max_age=86400
        )
    clip = clips.clip_by_filename(deployment.organisation_id, defn, filename)
    if clip is None:
        abort(404)
    response = send_file(
        io.BytesIO(clip.data),
        mimetype=clip.mime,
        conditional=True,
        etag=clip.sha256,
        max_age=31536000,
        last_modified=None,
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
