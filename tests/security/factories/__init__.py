"""Object factories for the tenant-isolation matrix, keyed by URL argument name.

The matrix test builds every id-taking URL with objects of one organisation and opens it as
every role of another. For that it needs, per URL argument (``location_id``, ``meeting_id``, …),
a function that creates such an object in a given organisation and returns the URL value.

Add yours in a module of this package, one per domain (``surveys.py``, ``meetings.py``); every
module here is imported automatically::

    from tests.security.factories import object_factory

    @object_factory("meeting_id")
    def meeting(ctx):
        return services.create_meeting(ctx.org, ...).id   # flush is enough; the test commits

A factory may need another object first: ``ctx.value("meeting_id")`` creates (once) and returns
it, so ``/meetings/<meeting_id>/items/<item_id>`` gets an item of that very meeting.

When one argument name means different things in different blueprints (``code`` of a survey
deployment under ``respond``, of a meeting under ``meetings_public``), register it per blueprint:
``@object_factory("code", blueprint="respond")``; a factory without ``blueprint`` serves the rest.
Public write routes need factories too: their CSRF check is tested on a real object.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

#: (blueprint or None, URL argument name) → factory(ctx) → value for the URL.
FACTORIES: dict[tuple[str | None, str], Callable[[FactoryContext], Any]] = {}


def object_factory(*arg_names: str, blueprint: str | None = None) -> Callable:
    """Register a factory for one or more URL argument names (optionally of one blueprint)."""

    def decorator(fn: Callable) -> Callable:
        for name in arg_names:
            key = (blueprint, name)
            if key in FACTORIES and FACTORIES[key] is not fn:
                raise RuntimeError(f"Two object factories registered for {key}")
            FACTORIES[key] = fn
        return fn

    return decorator


def find_factory(endpoint: str, arg_name: str) -> Callable | None:
    blueprint = endpoint.rpartition(".")[0] or None
    return FACTORIES.get((blueprint, arg_name)) or FACTORIES.get((None, arg_name))


class FactoryContext:
    """What a factory gets: the owning organisation, the ``make`` helper and sibling values."""

    def __init__(self, org: Any, make: Any, endpoint: str = ""):
        self.org = org
        self.make = make
        #: The route being tested, e.g. "surveys.deployment".
        self.endpoint = endpoint
        self._values: dict[str, Any] = {}

    def value(self, arg_name: str) -> Any:
        """Create (once per URL) and return the value for another URL argument."""
        if arg_name not in self._values:
            factory = find_factory(self.endpoint, arg_name)
            if factory is None:
                raise LookupError(missing_message(self.endpoint, arg_name))
            self._values[arg_name] = factory(self)
        return self._values[arg_name]


def missing_message(endpoint: str, arg_name: str) -> str:
    return (
        f"{endpoint}: no object factory for the URL argument {arg_name!r}. Register one in "
        f"tests/security/factories/<your domain>.py with @object_factory({arg_name!r}) (add "
        "blueprint=... if the name means something else elsewhere): it creates an object of "
        "ctx.org and returns the value for the URL, so the security tests can prove that other "
        "organisations get 404 and that writes without a CSRF token are refused."
    )


def load_all() -> dict[str, Callable]:
    """Import every module of this package so their factories register."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return FACTORIES
