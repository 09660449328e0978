"""Login, second factor, invitations, organisation switch and administration."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlsplit

import pyotp
import segno
from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from klankbord.accounts import services
from klankbord.accounts.forms import (
    AcceptInviteForm,
    ConfirmPasswordForm,
    InviteForm,
    JoinWithAccountForm,
    LocationForm,
    LoginForm,
    RoleForm,
    TotpForm,
    role_label,
)
from klankbord.accounts.models import AuditEvent, Location, Membership, Role
from klankbord.accounts.tenancy import (
    ask_password_again,
    current_org,
    get_scoped_or_404,
    require_role,
    scoped,
    staff_blueprint,
)
from klankbord.core.access import member_action, public_endpoint
from klankbord.core.languages import STAFF_LANGUAGES
from klankbord.core.time import utcnow
from klankbord.core.views import commit_or_show
from klankbord.extensions import db

bp = Blueprint("accounts", __name__, template_folder="templates")
LOGIN_REFUSED = _l(
    "E-mail address or password is not correct, or the account is locked for a while."
)
staff = staff_blueprint("staff", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    """Only follow local redirects."""
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("staff.dashboard")


def _begin_login(user) -> None:
    """Start a new server-side session; the old session id is dropped (no fixation)."""
    services.end_session(session.get("_user_id"))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    services.start_session(user)
    session.permanent = True
    login_user(user)
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
@public_endpoint
def login():
    """Log in with e-mail address and password."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except (services.LoginFailed, services.LoginLocked):
            # One answer for a wrong password, an unknown account and a lock: nothing to probe.
            db.session.commit()
            flash(LOGIN_REFUSED, "error")
        else:
            _begin_login(user)
            if services.needs_second_factor(user):
                return redirect(url_for("accounts.second_factor", next=request.args.get("next")))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


def _pending_user():
    if not current_user.is_authenticated:
        abort(403)
    return current_user


@bp.route("/login/second-factor", methods=["GET", "POST"])
@member_action
def second_factor():
    """Type the code of the authenticator app after the password."""
    user = _pending_user()
    if not user.totp_secret:
        return redirect(url_for("accounts.second_factor_setup", next=request.args.get("next")))
    form = TotpForm()
    if form.validate_on_submit():
        if _check_code(user, form):
            services.complete_second_factor(user.session_token)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/second_factor.html", form=form)


def _check_code(user, form, secret: str | None = None) -> bool:
    """Check the form's code with the per-account limit; put the reason on the field."""
    try:
        ok = services.check_second_factor(user, form.code.data, secret=secret)
    except services.SecondFactorLocked as locked:
        db.session.commit()
        minutes = max(1, int((locked.until - utcnow()).total_seconds() // 60) + 1)
        form.code.errors.append(
            _(
                "Too many wrong codes. For your safety the second factor is locked; "
                "try again in %(minutes)d minutes.",
                minutes=minutes,
            )
        )
        return False
    db.session.commit()
    if not ok:
        form.code.errors.append(_("That code is not correct. Try the newest code."))
    return ok


@bp.route("/login/second-factor/setup", methods=["GET", "POST"])
@member_action
def second_factor_setup():
    """Set up the authenticator app for the second factor."""
    user = _pending_user()
    if user.totp_secret and getattr(user, "second_factor_done", False):
        return redirect(url_for("staff.dashboard"))
    if user.totp_secret:
        return redirect(url_for("accounts.second_factor"))
    secret = session.get("totp_setup_secret") or pyotp.random_base32()
    session["totp_setup_secret"] = secret
    form = TotpForm()
    if form.validate_on_submit():
        if _check_code(user, form, secret=secret):
            user.totp_secret = secret
            session.pop("totp_setup_secret", None)
            services.complete_second_factor(user.session_token)
            services.record_event("second_factor_enrolled", actor=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Klankbord")
    buffer = BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
    import base64

    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    return render_template(
        "accounts/second_factor_setup.html", form=form, secret=secret, qr=qr_data_uri
    )


@bp.post("/logout")
@public_endpoint
def logout():
    """Log out and forget the session."""
    if current_user.is_authenticated:
        services.end_session(current_user.session_token)
        services.record_event("logout", actor=current_user, organisation_id=session.get("org_id"))
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/language")
@public_endpoint
def set_language():
    """Choose Dutch or English for staff pages (remembered per account)."""
    from flask import current_app

    lang = request.form.get("lang", "")
    if lang in current_app.config["STAFF_LOCALES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public_endpoint
def accept_invite(token: str):
    """Join an organisation: a new account, or the existing account of the invited address."""
    from klankbord.accounts.models import Organisation

    invitation = services.find_invitation(token)
    if invitation is None:
        return render_template("accounts/invite_invalid.html"), 404
    organisation = db.session.get(Organisation, invitation.organisation_id)
    existing = services.account_for(invitation.email)
    logged_in = current_user if current_user.is_authenticated else None
    form = AcceptInviteForm() if existing is None else JoinWithAccountForm()
    if form.validate_on_submit():
        name = form.name.data if existing is None else None
        try:
            user = services.accept_invitation(
                token, name, form.password.data, current_user=logged_in
            )
        except services.AccountError as error:
            # The service wrote nothing but the failed-login count, which must stay counted.
            db.session.commit()
            flash(str(error), "error")
        else:
            db.session.commit()
            if logged_in is not None:
                session["org_id"] = organisation.id
                flash(_("You joined %(org)s.", org=organisation.name), "success")
                return redirect(url_for("staff.dashboard"))
            flash(_("Welcome! You can now log in."), "success")
            return redirect(url_for("accounts.login", email=user.email))
    return render_template(
        "accounts/accept_invite.html",
        form=form,
        invitation=invitation,
        organisation=organisation,
        role=role_label(invitation.role),
        existing=existing is not None,
        logged_in_as_owner=logged_in is not None and existing is not None
        and logged_in.id == existing.id,
        logged_in_as_other=logged_in is not None
        and (existing is None or logged_in.id != existing.id),
    )


def send_invitation(invitation, organisation, link: str) -> None:
    """Mail the one-time link to the invited address only (Dutch and English).

    The admin never sees the link: whoever opens it has shown they read that mailbox, so nobody
    can create an account for somebody else's address by accepting their own invitation.
    """
    from flask_babel import force_locale

    from klankbord.core.mail import send_mail

    parts = []
    for lang in STAFF_LANGUAGES:
        with force_locale(lang):
            parts.append(
                _(
                    "You are invited to join %(org)s in Klankbord as %(role)s.",
                    org=organisation.name,
                    role=role_label(invitation.role),
                )
                + "\n\n"
                + _("Open this link to accept (it works once, until %(date)s):",
                    date=invitation.expires_at.strftime("%Y-%m-%d"))
                + f"\n{link}\n\n"
                + _("Did you not expect this? Then ignore this e-mail.")
            )
    with force_locale("nl"):
        subject_nl = _("Invitation to %(org)s in Klankbord", org=organisation.name)
    with force_locale("en"):
        subject_en = _("Invitation to %(org)s in Klankbord", org=organisation.name)
    send_mail(invitation.email, f"{subject_nl} / {subject_en}", "\n\n---\n\n".join(parts))


# Staff pages ---------------------------------------------------------------------------------


@staff.get("/")
def dashboard():
    """The staff start page of the chosen organisation."""
    return render_template("accounts/dashboard.html", role_label=role_label(g.role.value))


@staff.route("/account/confirm-password", methods=["GET", "POST"])
@member_action
def confirm_password():
    """Type the password again before a sensitive action (see tenancy.ask_password_again)."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if services.reauthenticate(current_user, form.password.data):
            db.session.commit()
            flash(_("Thank you. You can go on now."), "success")
            return redirect(_safe_next(request.args.get("next")))
        db.session.commit()  # the failed attempt counts towards the login lockout
        form.password.errors.append(_("That password is not correct."))
    return render_template("accounts/confirm_password.html", form=form)


@staff.post("/organisation")
@member_action
def switch_organisation():
    """Work in another organisation the user belongs to."""
    wanted = request.form.get("organisation_id", type=int)
    if not any(m.organisation_id == wanted for m in g.memberships):
        abort(404)
    session["org_id"] = wanted
    return redirect(url_for("staff.dashboard"))


@staff.get("/admin/members")
@require_role(Role.ADMIN)
def members():
    """The organisation's members and their roles, with the invitation form."""
    rows = (
        db.session.execute(select(Membership).where(Membership.organisation_id == current_org().id))
        .scalars()
        .all()
    )
    rows = sorted(rows, key=lambda m: m.user.name.lower())
    return render_template(
        "accounts/members.html", memberships=rows, invite_form=InviteForm(), role_form=RoleForm()
    )


@staff.post("/admin/members/invite")
@require_role(Role.ADMIN)
def invite_member():
    """Invite someone by e-mail to a role (password typed again first)."""
    form = InviteForm()
    if not form.validate_on_submit():
        flash(_("Please give a valid e-mail address and role."), "error")
        return redirect(url_for("staff.members"))
    if (confirm := ask_password_again(url_for("staff.members"))) is not None:  # grants a role
        return confirm
    new = services.invite(current_org(), form.email.data, form.role.data, actor=current_user)
    db.session.commit()
    link = url_for("accounts.accept_invite", token=new.token, _external=True)
    from klankbord.core.mail import MailError

    try:
        send_invitation(new.invitation, current_org(), link)
    except MailError:
        flash(_("The invitation could not be sent by e-mail. Please try again later."), "error")
        return redirect(url_for("staff.members"))
    return render_template(
        "accounts/invite_sent.html", invitation=new.invitation, role=role_label(new.invitation.role)
    )


@staff.post("/admin/members/<int:membership_id>/role")
@require_role(Role.ADMIN)
def change_role(membership_id: int):
    """Change a member's role (not one's own administrator role; password typed again first)."""
    membership = get_scoped_or_404(Membership, membership_id)
    form = RoleForm()
    if form.validate_on_submit():
        if (confirm := ask_password_again(url_for("staff.members"))) is not None:
            return confirm
        commit_or_show(
            lambda: services.change_role(membership, form.role.data, actor=current_user),
            _("Role changed."),
        )
    return redirect(url_for("staff.members"))


@staff.get("/admin/audit")
@require_role(Role.ADMIN)
def audit_log():
    """The organisation's newest audit events."""
    events = (
        db.session.execute(
            scoped(AuditEvent)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(500)
        )
        .scalars()
        .all()
    )
    return render_template("accounts/audit.html", events=events)


@staff.route("/admin/locations", methods=["GET", "POST"])
@require_role(Role.ADMIN, Role.FACILITATOR, Role.POLICYMAKER)
def locations():
    """The organisation's reception locations; administrators add one."""
    form = LocationForm()
    if request.method == "POST":
        if g.role not in (Role.ADMIN,):
            abort(403)
        if form.validate_on_submit():
            services.add_location(current_org(), form.name.data.strip(), form.kind.data)
            db.session.commit()
            flash(_("Location added."), "success")
            return redirect(url_for("staff.locations"))
    rows = db.session.execute(scoped(Location).order_by(Location.name)).scalars().all()
    return render_template("accounts/locations.html", locations=rows, form=form)


@staff.get("/admin/locations/<int:location_id>")
def location_detail(location_id: int):
    """One reception location."""
    location = get_scoped_or_404(Location, location_id)
    return render_template("accounts/location.html", location=location)
