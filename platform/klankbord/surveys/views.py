"""Staff pages: surveys and their languages, deployments, posters and paper slips."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import (
    EDITORS,
    can_edit,
    current_org,
    get_scoped_or_404,
    require_role,
    scoped,
    staff_blueprint,
)
from klankbord.core import pdf
from klankbord.core.disclosure import coarse_count
from klankbord.core.i18n import format_when
from klankbord.core.time import utcnow
from klankbord.core.views import commit_or_show
from klankbord.extensions import db
from klankbord.surveys import audio, clips, services, ui_text
from klankbord.surveys.forms import (
    DeployForm,
    SlipsForm,
    follow_up_form,
    local_to_utc,
    utc_to_local,
)
from klankbord.surveys.models import Deployment, QuestionClip

bp = staff_blueprint("surveys", __name__, url_prefix="/surveys", template_folder="templates")


def qr_svg(url: str, label: str) -> Markup:
    """The QR code of ``url`` as inline SVG (scalable, no image request)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None
    )
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))


def public_url(deployment: Deployment, **params) -> str:
    return url_for("respond.choose", code=deployment.code, _external=True, **params)


@bp.app_template_filter("local_time")
def local_time(moment) -> str:
    """A stored UTC time in the reader's time zone and language, without seconds."""
    return format_when(moment) if moment else ""


@bp.get("/")
def index():
    """Surveys, their versions and the deployments of this organisation."""
    versions = services.latest_versions()
    deployments = (
        db.session.execute(
            scoped(Deployment).order_by(Deployment.created_at.desc(), Deployment.id.desc())
        )
        .scalars()
        .all()
    )
    by_survey: dict[str, list[Deployment]] = {}
    for deployment in deployments:
        by_survey.setdefault(deployment.version.survey_id, []).append(deployment)
    surveys = [(v, services.definition_of(v), by_survey.get(v.survey_id, [])) for v in versions]
    return render_template(
        "surveys/index.html", surveys=surveys, now=utcnow(), state=services.deployment_state
    )


@bp.route("/deploy", methods=["GET", "POST"])
@require_role(*EDITORS)
def deploy():
    """Deploy a survey (``?survey=<id>``; surveys are shared by all organisations, not scoped)."""
    survey_id = request.args.get("survey", "")
    versions = services.versions_of(survey_id)
    if not versions:
        abort(404)
    form = DeployForm()
    form.version.choices = [(v.id, _("Version %(number)s", number=v.number)) for v in versions]
    locations = services.all_locations(current_org())
    form.locations.choices = [(loc.id, loc.name) for loc in locations]
    if request.method == "GET":
        now = utc_to_local(utcnow()).replace(second=0, microsecond=0)
        form.version.data = versions[0].id
        form.opens_at.data = now
        form.closes_at.data = now + timedelta(days=28)
    if form.validate_on_submit():
        version = next(v for v in versions if v.id == form.version.data)
        chosen = services.locations_by_ids(current_org(), form.locations.data)

        def deploy_and_record():
            deployment = services.create_deployment(
                current_org(),
                version,
                chosen,
                local_to_utc(form.opens_at.data),
                local_to_utc(form.closes_at.data),
                created_by=current_user,
                slip_required=form.slip_required.data,
            )
            record_event(
                "survey_deployed",
                actor=current_user,
                target_type="deployment",
                target_id=deployment.id,
                details={
                    "survey": version.survey_id,
                    "version": version.number,
                    "locations": len(chosen),
                },
            )
            return deployment

        if done := commit_or_show(deploy_and_record, _("The survey is deployed."), form=form):
            return redirect(url_for("surveys.deployment", deployment_id=done.value.id))
    defn = services.definition_of(versions[0])
    return render_template(
        "surveys/deploy.html",
        form=form,
        defn=defn,
        survey_id=survey_id,
        has_locations=bool(locations),
    ), (422 if form.errors else 200)


@bp.get("/deployments/<int:deployment_id>")
def deployment(deployment_id: int):
    """One deployment: progress (rounded), link, poster, slips, follow-up text."""
    deployment = get_scoped_or_404(Deployment, deployment_id)
    defn = services.definition_of(deployment.version)
    # Progress only, for every role: exact and per-language figures come from releases.
    total = coarse_count(services.total_responses(deployment))
    slips_made, slips_used = services.slip_counts(deployment)
    slips_used = coarse_count(slips_used)
    follow_form = follow_up_form(defn.language_codes, deployment.follow_up)
    return render_template(
        "surveys/deployment.html",
        deployment=deployment,
        defn=defn,
        total=total,
        state=services.deployment_state(deployment),
        link=public_url(deployment),
        slips_made=slips_made,
        slips_used=slips_used,
        follow_form=follow_form,
        slips_form=SlipsForm(),
        can_edit=can_edit(),
    )


@bp.post("/deployments/<int:deployment_id>/follow-up")
@require_role(*EDITORS)
def follow_up(deployment_id: int):
    """Save the "what happens next" text residents see after answering."""
    deployment = get_scoped_or_404(Deployment, deployment_id)
    defn = services.definition_of(deployment.version)
    form = follow_up_form(defn.language_codes, None)
    if not form.validate_on_submit():
        flash(
            _("The text could not be saved: each text may have at most 4000 characters."), "error"
        )
        return redirect(url_for("surveys.deployment", deployment_id=deployment.id))
    services.set_follow_up(
        deployment, {code: getattr(form, f"text_{code}").data or "" for code in defn.language_codes}
    )
    record_event(
        "survey_follow_up_saved",
        actor=current_user,
        target_type="deployment",
        target_id=deployment.id,
    )
    db.session.commit()
    flash(_("Saved. Residents with a slip see it on the results page."), "success")
    return redirect(url_for("surveys.deployment", deployment_id=deployment.id))


def _poster_context(deployment: Deployment) -> dict:
    defn = services.definition_of(deployment.version)
    link = public_url(deployment)
    calls = [
        (code, defn.text(defn.title, code), ui_text.text("poster_call", code))
        for code in defn.language_codes
    ]
    return {
        "deployment": deployment,
        "defn": defn,
        "link": link,
        "calls": calls,
        "qr": qr_svg(link, _("QR code for %(link)s", link=link)),
    }


@bp.get("/deployments/<int:deployment_id>/poster")
def poster(deployment_id: int):
    """A printable poster with the link and QR code of a deployment."""
    deployment = get_scoped_or_404(Deployment, deployment_id)
    return render_template("surveys/poster.html", **_poster_context(deployment))


@bp.get("/deployments/<int:deployment_id>/poster.pdf")
def poster_pdf(deployment_id: int):
    """The poster as an A4 PDF made by the one PDF path (klankbord.core.pdf)."""
    deployment = get_scoped_or_404(Deployment, deployment_id)
    if not pdf.available():
        return render_template(
            "errors/error.html",
            code=503,
            title=_("PDF export is not available"),
            text=_("This server cannot make PDF files. Print the poster page from your browser."),
        ), 503
    html = render_template("surveys/poster_pdf.html", **_poster_context(deployment))
    return Response(
        pdf.render(html, current_app.static_folder or ""),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="klankbord-poster-{deployment.id}.pdf"'
        },
    )


@bp.post("/deployments/<int:deployment_id>/slips")
@require_role(*EDITORS)
def slips(deployment_id: int):
    """Make N one-time slips and show the printable sheet (codes exist only on this page)."""
    deployment = get_scoped_or_404(Deployment, deployment_id)
    form = SlipsForm()
    if not form.validate_on_submit():
        flash(_("Choose a number of slips from 1 to 500."), "error")
        return redirect(url_for("surveys.deployment", deployment_id=deployment.id))
    codes = services.create_slips(deployment, form.count.data)
    record_event(
        "survey_slips_made",
        actor=current_user,
        target_type="deployment",
        target_id=deployment.id,
        details={"count": len(codes)},
    )
    db.session.commit()
    defn = services.definition_of(deployment.version)
    sheet = []
    for code in codes:
        url = public_url(deployment, slip=code)
        sheet.append((code, qr_svg(url, _("QR code for slip %(code)s", code=code))))
    return render_template(
        "surveys/slips.html",
        deployment=deployment,
        defn=defn,
        sheet=sheet,
        link=public_url(deployment),
    )


# Recordings of questions (staff upload or record; residents play them) -------------------


def _clip_messages() -> dict[str, str]:
    return {
        "empty": _("Choose a sound file, or record one."),
        "too_big": _(
            "The file is too large (at most %(mb)s MB). Record a shorter clip.",
            mb=audio.MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
        "not_audio": _(
            "This is not a sound file Klankbord can read. Use MP3, M4A, WAV, OGG or WebM."
        ),
        "too_long": _(
            "The recording is too long: at most %(seconds)s seconds. Read only the question.",
            seconds=audio.MAX_SECONDS,
        ),
        "timeout": _("Converting the recording took too long. Try a shorter or smaller file."),
        "failed": _("The recording could not be converted. Try another file or record again."),
        "unavailable": _("This server cannot convert recordings (ffmpeg is missing)."),
    }


def _clips_page(survey_id: str, errors: dict | None = None, status: int = 200):
    versions = services.versions_of(survey_id)
    if not versions:
        abort(404)
    defn = services.definition_of(versions[0])
    found = clips.clips_of_survey(current_org().id, survey_id)
    by_question: dict[str, set[str]] = {}
    for question_id, language in found:
        by_question.setdefault(question_id, set()).add(language)
    response = current_app.make_response(
        (
            render_template(
                "surveys/clips.html",
                defn=defn,
                version=versions[0],
                clips=found,
                clips_by_question=by_question,
                clip_matches=clips.matches,
                open_question=request.args.get("q")
                or (request.form.get("question") if errors else None),
                errors=errors or {},
                can_edit=g.role.value in EDITORS,
                max_seconds=audio.MAX_SECONDS,
                max_bytes=audio.MAX_UPLOAD_BYTES,
                accept="audio/*,.mp3,.m4a,.aac,.wav,.ogg,.oga,.opus,.webm,.flac,.amr,.3gp,.caf",
            ),
            status,
        )
    )
    # This page alone may use the microphone (recording in the browser); the rest keeps none.
    response.headers["Permissions-Policy"] = (
        "camera=(), microphone=(self), geolocation=(), interest-cohort=()"
    )
    return response


@bp.get("/audio")
def clips_page():
    """Recordings of a survey's questions per language (``?survey=<id>``, the first survey without
    it; surveys are shared, recordings belong to the organisation)."""
    survey_id = request.args.get("survey")
    if survey_id is None:
        versions = services.latest_versions()
        survey_id = versions[0].survey_id if versions else ""
    return _clips_page(survey_id)


def _clip_target():
    """The survey definition, question and language a clip form names, or 404."""
    survey_id = request.form.get("survey", "")
    versions = services.versions_of(survey_id)
    if not versions:
        abort(404)
    defn = services.definition_of(versions[0])
    question_id = request.form.get("question", "")
    language = request.form.get("lang", "")
    if question_id not in {q.id for q in defn.questions} or language not in defn.language_codes:
        abort(404)
    return defn, question_id, language


def clips_url(survey_id: str, question_id: str | None = None, language: str | None = None):
    if not question_id:
        return url_for("surveys.clips_page", survey=survey_id)
    return url_for(
        "surveys.clips_page",
        survey=survey_id,
        q=question_id,
        _anchor=f"clip-{question_id}-{language}",
    )


@bp.post("/audio")
@require_role(*EDITORS)
def upload_clip():
    """Convert an uploaded or recorded file and store it as the question's clip in a language.

    A refused file leaves every other clip as it was and says why next to its own form.
    """
    defn, question_id, language = _clip_target()
    upload = request.files.get("audio")
    data = upload.read(audio.MAX_UPLOAD_BYTES + 1) if upload else b""
    try:
        clip = audio.convert(data)
    except audio.AudioError as error:
        current_app.logger.info("clip refused: %s", error.code)
        return _clips_page(defn.id, {(question_id, language): _clip_messages()[error.code]}, 422)
    row = clips.save_clip(current_org(), defn, question_id, language, clip, user=current_user)
    record_event(
        "survey_clip_saved",
        actor=current_user,
        target_type="survey_clip",
        target_id=row.id,
        details={"survey": defn.id, "question": question_id, "language": language},
    )
    db.session.commit()
    flash(
        _(
            "The recording is saved (%(seconds)s seconds).",
            seconds=max(1, round(clip.duration_ms / 1000)),
        ),
        "success",
    )
    return redirect(clips_url(defn.id, question_id, language))


@bp.post("/audio/delete")
@require_role(*EDITORS)
def delete_clip():
    defn, question_id, language = _clip_target()
    if clips.delete_clip(current_org(), defn.id, question_id, language):
        record_event(
            "survey_clip_deleted",
            actor=current_user,
            target_type="survey",
            details={"survey": defn.id, "question": question_id, "language": language},
        )
        db.session.commit()
        flash(_("The recording is removed."), "success")
    return redirect(clips_url(defn.id, question_id, language))


@bp.get("/audio/<int:clip_id>")
def play_clip(clip_id: int):
    """A clip of this organisation, for staff to listen to (residents use respond.audio)."""
    row = get_scoped_or_404(QuestionClip, clip_id)
    response = send_file(io.BytesIO(row.data), mimetype=row.mime, conditional=True, etag=row.sha256)
    return response
