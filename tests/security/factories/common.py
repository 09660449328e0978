"""URL arguments that are not objects but still need a valid value."""

from __future__ import annotations

from tests.security.factories import object_factory


@object_factory("lang")
def language(ctx):
    return "nl"
