"""Forms of the reports pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional

from klankbord.core.i18n import LANGUAGE_NAMES


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select: easier on phones and for screen readers."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ScopeForm(FlaskForm):
    name = StringField(
        _l("Name of the report"),
        validators=[DataRequired(), Length(max=200)],
        description=_l('For example "Taallessen AZC-Oost, najaar".'),
    )
    deployment_ids = MultiCheckboxField(_l("Survey rounds"), coerce=int)
    meeting_ids = MultiCheckboxField(_l("Meetings (ideas sent from phones)"), coerce=int)
    location_ids = MultiCheckboxField(_l("Only these locations (none chosen: all)"), coerce=int)
    period_from = DateField(_l("From (first day)"), validators=[Optional()])
    period_to = DateField(_l("Until (last day)"), validators=[Optional()])
    languages = MultiCheckboxField(
        _l("Only these languages (none chosen: all)"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
    )
    include_survey_text = BooleanField(_l("Use free-text survey answers for themes"), default=True)
    include_meeting_text = BooleanField(_l("Use meeting ideas for themes"), default=True)
    compare_by = RadioField(
        _l("Compare over time"),
        default="month",
        choices=[
            SelectChoice("month", _l("per month")),
            SelectChoice("deployment", _l("per survey round")),
        ],
    )
