"""URL converters with limits the databases share."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: Largest value of an INTEGER column on PostgreSQL (SQLite allows 2**63 - 1).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` that does not match ids no table can hold.

    Without it ``/m/<code>/nl/poll/99999999999999999999`` reached the database and failed there
    (OverflowError on SQLite, out-of-range on PostgreSQL): a 500 instead of a 404.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def register(app) -> None:
    """Install the converters; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntegerConverter
