"""The view protocol: DomainError, commit_or_show and get_managed_or_404 (no test client)."""

from __future__ import annotations

import pytest
from flask import g, get_flashed_messages
from flask_login import login_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound
from wtforms import StringField

from klankbord.accounts.models import AuditEvent, Location, Role
from klankbord.core.errors import DomainError
from klankbord.core.views import commit_or_show, show_error


class _Form(FlaskForm):
    name = StringField()


def test_domain_error_carries_message_code_and_field():
    error = DomainError("Kies een locatie.", code="no_locations", field="locations")
    assert str(error) == "Kies een locatie."
    assert (error.code, error.field) == ("no_locations", "locations")
    assert str(DomainError(code="only_code")) == "only_code"


def test_every_domain_error_is_a_domain_error():
    from klankbord.accounts.services import AccountError, LoginFailed
    from klankbord.meetings.services import InputRejected, MeetingError
    from klankbord.surveys.services import SurveyError

    survey = SurveyError("no_locations", "Choose at least one location.", "locations")
    assert (survey.code, survey.field, str(survey)) == (
        "no_locations",
        "locations",
        "Choose at least one location.",
    )
    assert str(SurveyError("bare")) == "bare"
    rejected = InputRejected("idea_too_long", max=500)
    assert (rejected.key, rejected.code) == ("idea_too_long", "idea_too_long")
    assert rejected.values == {"max": 500}
    for error in (survey, rejected, MeetingError("x"), AccountError("x"), LoginFailed("x")):
        assert isinstance(error, DomainError)


def _locations(db) -> int:
    return db.session.execute(select(func.count(Location.id))).scalar_one()


def test_commit_or_show_commits_and_confirms(app, db, make):
    org = make.org()
    with app.test_request_context("/", method="POST"):

        def add():  # a service: add and flush, never commit
            location = Location(organisation_id=org.id, name="AZC Noord", kind="azc")
            db.session.add(location)
            db.session.flush()
            return location

        done = commit_or_show(add, "Opgeslagen.")
        assert done and done.value.name == "AZC Noord" and done.error is None
        assert get_flashed_messages(with_categories=True)[-1] == ("success", "Opgeslagen.")
    db.session.rollback()  # a commit happened: the row survives a rollback
    assert _locations(db) == 1


def test_commit_or_show_rolls_back_and_flashes_the_error(app, db, make):
    org = make.org()

    def refuse():
        db.session.add(Location(organisation_id=org.id, name="Half af", kind="azc"))
        db.session.flush()
        raise DomainError("Dat kan niet.", code="nope")

    with app.test_request_context("/", method="POST"):
        done = commit_or_show(refuse, "Opgeslagen.")
        assert not done and done.error.code == "nope" and done.value is None
        assert get_flashed_messages(with_categories=True) == [("error", "Dat kan niet.")]
    assert _locations(db) == 0


def test_a_field_error_goes_under_its_field_not_into_a_flash(app):
    with app.test_request_context("/", method="POST"):
        form = _Form(meta={"csrf": False})
        form.validate()
        done = commit_or_show(
            lambda: (_ for _ in ()).throw(DomainError("Te lang.", field="name")), "Ja.", form=form
        )
        assert not done
        assert form.name.errors == ["Te lang."]
        assert get_flashed_messages() == []
    with app.test_request_context("/", method="POST"):
        # A field the form does not have: shown at the top of the page instead.
        show_error(DomainError("Elders.", field="missing"), _Form(meta={"csrf": False}))
        assert get_flashed_messages() == ["Elders."]


def test_other_exceptions_are_not_swallowed(app):
    with app.test_request_context("/", method="POST"), pytest.raises(ZeroDivisionError):
        commit_or_show(lambda: 1 / 0, "Ja.")


def test_get_managed_or_404(app, db, make):
    from klankbord.accounts.tenancy import get_managed_or_404

    org, other = make.org(), make.org()
    mine = make.location(org, "AZC Mijn")
    theirs = make.location(other, "AZC Ander")
    user = make.user(org, "facilitator")
    with app.test_request_context("/admin/locations"):
        login_user(user)
        g.org, g.role = org, Role.FACILITATOR
        assert get_managed_or_404(Location, mine.id) is mine  # editors, by default
        assert get_managed_or_404(Location, mine.id, lambda obj, who, role: who.id == user.id)
        with pytest.raises(NotFound):
            get_managed_or_404(Location, theirs.id, lambda *_: True)
        with pytest.raises(NotFound):
            get_managed_or_404(Location, 10_000)
        with pytest.raises(Forbidden):
            get_managed_or_404(Location, mine.id, lambda obj, who, role: role == Role.ADMIN)
        g.role = Role.POLICYMAKER
        with pytest.raises(Forbidden):
            get_managed_or_404(Location, mine.id)
    refused = db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "access_denied")
    ).scalar_one()
    assert refused == 2
