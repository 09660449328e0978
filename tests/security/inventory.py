"""The route inventory: every registered route with the access rule its view declares.

Read by the route-inventory and tenant-isolation tests. The rules themselves live beside the
views (``klankbord.core.access.public_endpoint``, ``member_action`` and
``accounts.tenancy.require_role``); this module only collects them from ``app.url_map``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter, PathConverter, Rule
from werkzeug.routing.converters import NumberConverter

from klankbord.core import access

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROLES = ("admin", "facilitator", "policymaker")


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: tuple[str, ...]
    #: URL argument name → kind of converter: "int", "path" or "string".
    arguments: tuple[tuple[str, str], ...]
    public: bool
    member_action: bool
    #: Roles from require_role, or None when every member of the organisation may open it.
    roles: frozenset[str] | None

    @property
    def id(self) -> str:
        return f"{self.endpoint}[{'/'.join(self.methods)}]"

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(m for m in self.methods if m in WRITE_METHODS)

    def role_may(self, role: str, method: str) -> bool:
        """Whether the declared rule lets ``role`` of the owning organisation use ``method``."""
        if self.roles is not None and role not in self.roles:
            return False
        if method in WRITE_METHODS and role == "policymaker" and not self.member_action:
            return False
        return True

    def url(self, values: dict[str, Any]) -> str:
        path = self.rule
        for name, _converter in self.arguments:
            path = _replace_argument(path, name, str(values[name]))
        return path


def _replace_argument(path: str, name: str, value: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", value, path, count=1)


def collect(app: Flask) -> list[Route]:
    routes = []
    rule: Rule
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        methods = tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        # _converters keeps the arguments in the order they appear in the rule.
        arguments = tuple((name, _kind(conv)) for name, conv in rule._converters.items())
        routes.append(
            Route(
                endpoint=rule.endpoint,
                rule=rule.rule,
                methods=methods,
                arguments=arguments,
                public=access.is_public(rule.endpoint, view),
                member_action=access.is_member_action(view),
                roles=access.required_roles(view),
            )
        )
    return sorted(routes, key=lambda r: (r.endpoint, r.rule))


def _kind(converter: BaseConverter) -> str:
    if isinstance(converter, NumberConverter):
        return "int"
    return "path" if isinstance(converter, PathConverter) else "string"


def dummy_value(kind: str) -> Any:
    """A value of the right type that names no object."""
    return 987654321 if kind == "int" else "does-not-exist"


@cache
def inventory() -> tuple[Route, ...]:
    """The routes of a fully registered app (built once, no database needed)."""
    from klankbord import create_app

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "inventory-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": "sqlite://",
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="klankbord-inventory-"),
    })
    return tuple(collect(app))
