"""The one place where staff requests are tied to an organisation and a role.

Every staff blueprint is made with :func:`staff_blueprint`: its routes need a login, and the current
organisation is loaded before the view runs. Views fetch objects with
:func:`get_scoped_or_404`, which answers 404 for an object of another organisation, so
foreign ids look exactly like missing ones, and objects they change with
:func:`get_managed_or_404`, which also asks the domain whether this user may change it (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask import Blueprint, abort, g, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import Select, select

from klankbord.accounts.models import Organisation, Role
from klankbord.extensions import db

M = TypeVar("M")

#: Roles that may change things; policymakers only read. The one definition: views write
#: ``@require_role(*EDITORS)`` and ``g.role in EDITORS`` (``Role`` is a ``StrEnum``, so the
#: plain strings ``"admin"`` and ``"facilitator"`` are members too).
EDITORS = (Role.ADMIN, Role.FACILITATOR)


def current_org() -> Organisation:
    org = getattr(g, "org", None)
    if org is None:
        abort(403)
    return org


def current_role() -> Role | None:
    return getattr(g, "role", None)


def load_current_org() -> None:
    """Require a login and set g.org and g.role from the session's chosen organisation."""
    from klankbord.accounts.services import second_factor_missing

    if not current_user.is_authenticated:
        return _to_login()
    if second_factor_missing(current_user):  # every request: a role granted mid-session counts
        return redirect(
            url_for(
                "accounts.second_factor",
                next=request.full_path if request.method == "GET" else None,
            )
        )
    memberships = sorted(current_user.memberships, key=lambda m: m.organisation.name)
    if not memberships:
        abort(403)
    chosen = session.get("org_id")
    membership = next((m for m in memberships if m.organisation_id == chosen), memberships[0])
    session["org_id"] = membership.organisation_id
    g.org = membership.organisation
    g.role = Role(membership.role)
    g.memberships = memberships
    return None


def _to_login():
    return redirect(
        url_for("accounts.login", next=request.full_path if request.method == "GET" else None)
    )


def staff_blueprint(name: str, import_name: str, **kwargs: Any) -> Blueprint:
    """A blueprint whose every route needs a login and knows its organisation."""
    bp = Blueprint(name, import_name, **kwargs)
    bp.before_request(load_current_org)
    return bp


def require_role(*roles: Role | str) -> Callable:
    """Allow the view only for these roles in the current organisation (403 otherwise)."""
    allowed = {Role(r) for r in roles}

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if current_role() not in allowed:
                deny()
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(r.value for r in allowed)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def deny() -> NoReturn:
    """Answer 403 and audit the refused attempt (committed, since the request ends here)."""
    from klankbord.accounts.services import record_event

    record_event("access_denied", actor=current_user, details={"endpoint": request.endpoint})
    db.session.commit()
    abort(403)


def ask_password_again(back: str | None = None):
    """A redirect to the password confirmation, or None when it was typed a moment ago.

    :param back: the page to return to after confirming (browsers send no Referer here:
        ``Referrer-Policy: no-referrer``), where the user repeats the action.

    For actions that cannot be undone or that hand out personal data (role changes, erasure,
    member export): a session left open on a shared computer is not enough for them. Views call
    it after their own access checks, so a foreign id still answers 404. The action is not
    replayed; after confirming, the user repeats it (within REAUTH_MINUTES).
    """
    from flask import flash
    from flask_babel import gettext as _

    from klankbord.accounts.services import reauthentication_due

    if not reauthentication_due(current_user):
        return None
    flash(_("Please confirm your password first, then do this again."), "info")
    back = back or _local_path(request.referrer) or url_for("staff.dashboard")
    return redirect(url_for("staff.confirm_password", next=back))


def _local_path(url: str | None) -> str | None:
    """The path (and query) of a URL on this host, else None: never redirect elsewhere."""
    from urllib.parse import urlsplit

    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def can_edit() -> bool:
    return current_role() in EDITORS


def scoped(model: type[M]) -> Select:
    """SELECT of ``model`` limited to the current organisation."""
    return select(model).where(model.organisation_id == current_org().id)  # type: ignore[attr-defined]


def get_scoped_or_404(model: type[M], object_id: Any) -> M:
    """Load one object of the current organisation, or answer 404."""
    obj = db.session.execute(scoped(model).where(model.id == object_id)).scalar_one_or_none()  # type: ignore[attr-defined]
    if obj is None:
        abort(404)
    return obj


def get_managed_or_404(
    model: type[M],
    object_id: Any,
    may_manage: Callable[[M, Any, Role | None], bool] | None = None,
) -> M:
    """Load one object of the current organisation that the current user may change.

    404 for a missing or foreign id (as :func:`get_scoped_or_404`), then 403 (audited) unless
    ``may_manage(obj, user, role)`` says yes; without ``may_manage``, every editor may
    (:data:`EDITORS`). The domain owns the rule: meetings pass ``services.may_manage`` (admins
    and the group's own facilitators).
    """
    obj = get_scoped_or_404(model, object_id)
    allowed = (
        may_manage(obj, current_user, current_role())
        if may_manage is not None
        else current_role() in EDITORS
    )
    if not allowed:
        deny()
    return obj
