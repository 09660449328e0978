"""Access rules that live beside the views they describe.

Every route is protected unless its view says otherwise. The route inventory test
(``tests/security/test_route_inventory.py``) reads these marks from ``app.view_functions`` and
checks each route's real behaviour against them, so a new route without the right mark fails.

- :func:`public_endpoint`: anyone may open it without a login (login page, respondent pages,
  health check). Such a view must show no personal data.
- ``require_role(...)`` (in ``accounts.tenancy``): only these roles of the current organisation.
- :func:`member_action`: a state-changing staff route that every role of the organisation may use
  (switching organisation, one's own settings). Every other state-changing staff route must deny
  policymakers, who only read.

The marks are plain attributes on the function object, so they survive ``functools.wraps`` and
work above or below ``@bp.route``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

#: Attribute names read by the route inventory test.
PUBLIC_ATTR = "klankbord_public"
MEMBER_ACTION_ATTR = "klankbord_member_action"

#: Endpoints made by Flask itself, whose view functions cannot carry an attribute.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


def public_endpoint(view: F) -> F:
    """Mark a view as open without a login; it must show no personal data."""
    setattr(view, PUBLIC_ATTR, True)
    return view


def member_action(view: F) -> F:
    """Mark a state-changing staff view that every role of the organisation may use."""
    setattr(view, MEMBER_ACTION_ATTR, True)
    return view


def is_public(endpoint: str, view: Callable | None) -> bool:
    return endpoint in BUILTIN_PUBLIC_ENDPOINTS or bool(getattr(view, PUBLIC_ATTR, False))


def is_member_action(view: Callable | None) -> bool:
    return bool(getattr(view, MEMBER_ACTION_ATTR, False))


def required_roles(view: Callable | None) -> frozenset[str] | None:
    """Roles set by ``require_role``; None when any member of the organisation may open it."""
    return getattr(view, "required_roles", None)
