"""What domains add to the app while it is built: navigation entries and demo seeders.

One :class:`Registry` per app, kept in ``app.extensions["klankbord"]``. A domain's
``register(app)`` hook adds its entries here, so domains never import (or mutate globals of)
``app_setup`` or ``cli``; ``app_setup`` reads the navigation from it and ``klankbord demo`` runs
the seeders. Per app, so two apps in one process (tests, a scheduler beside a web app) never see
each other's entries and a second ``create_app`` does not add them twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

#: The key in ``app.extensions``.
EXTENSION_KEY = "klankbord"


@dataclass(frozen=True)
class NavItem:
    """A staff navigation entry: shown to ``roles`` (None: every role) when the endpoint exists."""

    endpoint: str
    label: object
    roles: tuple[str, ...] | None = None


@dataclass
class Registry:
    nav_items: list[NavItem] = field(default_factory=list)
    #: Functions that add demo content; each takes the demo organisation and returns lines to print.
    demo_seeders: list[Callable] = field(default_factory=list)

    def add_nav_item(
        self,
        endpoint: str,
        label: object,
        roles: tuple[str, ...] | None = None,
        *,
        first: bool = False,
    ) -> None:
        """Add a navigation entry once (at the front with ``first``)."""
        if all(item.endpoint != endpoint for item in self.nav_items):
            item = NavItem(endpoint, label, roles)
            self.nav_items.insert(0 if first else len(self.nav_items), item)

    def add_demo_seeder(self, seeder: Callable) -> None:
        """Run ``seeder(org)`` in ``klankbord demo`` (once, in the order added)."""
        if seeder not in self.demo_seeders:
            self.demo_seeders.append(seeder)


def registry(app: Flask | None = None) -> Registry:
    """The registry of ``app`` (default: the current app), created on first use."""
    app = app if app is not None else current_app
    found = app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = app.extensions[EXTENSION_KEY] = Registry()
    return found


def demo_base_url() -> str:
    """Where residents' links in the demo's output point: ``PUBLIC_BASE_URL`` (``make run`` sets
    it from HOST and PORT), else the development server's default address."""
    return (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
