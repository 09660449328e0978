"""Staff forms: deploy a survey version, write the follow-up, make paper slips."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from klankbord.core.i18n import LANGUAGE_NAMES
from klankbord.surveys.services import MAX_SLIPS_PER_BATCH

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam")


def local_to_utc(moment: datetime) -> datetime:
    """Read a wall-clock time typed by staff (municipality's time zone) as naive UTC."""
    return moment.replace(tzinfo=_zone()).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def utc_to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(_zone()).replace(tzinfo=None)


class DeployForm(FlaskForm):
    version = SelectField(_l("Survey version"), coerce=int, validators=[InputRequired()])
    locations = SelectMultipleField(
        _l("Locations"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Choose at least one location."))],
    )
    opens_at = DateTimeLocalField(_l("Opens at"), format=LOCAL_FORMAT, validators=[DataRequired()])
    closes_at = DateTimeLocalField(
        _l("Closes at"), format=LOCAL_FORMAT, validators=[DataRequired()]
    )
    slip_required = BooleanField(_l("Residents need a paper slip to answer (one answer per slip)"))

    def validate_closes_at(self, field) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))


class SlipsForm(FlaskForm):
    count = IntegerField(
        _l("Number of slips"),
        default=30,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_SLIPS_PER_BATCH)],
    )


def follow_up_form(languages: tuple[str, ...], current: dict | None):
    """A form with one text area per survey language for 'what the municipality will do'."""

    class FollowUpForm(FlaskForm):
        pass

    for code in languages:
        label = LANGUAGE_NAMES.get(code, code)
        setattr(
            FollowUpForm,
            f"text_{code}",
            TextAreaField(
                label, default=(current or {}).get(code, ""), validators=[Length(max=4000)]
            ),
        )
    form = FollowUpForm()
    form.language_codes = languages
    return form
