"""The view protocol shared by every domain's staff pages.

A write view: load the object and check who may change it (``accounts.tenancy.get_managed_or_404``),
validate the form, call one service inside :func:`commit_or_show`, redirect on success or render
the form again. Services flush and raise a :class:`~klankbord.core.errors.DomainError`; only this
helper (or a job) commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash

from klankbord.core.errors import DomainError
from klankbord.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What :func:`commit_or_show` did: true when committed; ``value`` is the service's result."""

    value: T | None = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def show_error(error: DomainError, form: Any = None) -> None:
    """Show a domain error under its form field when the form has it, else as a flash message."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def commit_or_show(
    operation: Callable[[], T],
    success: Any = None,
    *,
    form: Any = None,
    errors: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
) -> Outcome[T]:
    """Run one service call: commit and flash ``success``, or roll back and show the error.

    Only ``errors`` are caught (any :class:`DomainError` by default); anything else is a bug and
    reaches the error handler. With ``form``, an error that names a field of it is shown there.
    """
    try:
        value = operation()
    except errors as error:
        db.session.rollback()
        show_error(error, form)
        return Outcome(error=error)
    db.session.commit()
    if success:
        flash(success, "success")
    return Outcome(value=value)
