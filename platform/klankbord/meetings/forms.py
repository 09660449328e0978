"""Staff forms for groups, members, meetings, agenda items, polls, actions and updates.

Texts that residents read are entered per language of the group; :func:`with_translations` adds one
field per language to a form class, and :meth:`TranslatedForm.translations` collects them again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from klankbord.core.languages import LANGUAGE_NAMES, LANGUAGES
from klankbord.meetings.models import ActionStatus


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the template wraps it in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices(include_nl: bool = True) -> list[SelectChoice]:
    return options((code, LANGUAGE_NAMES[code]) for code in LANGUAGES if include_nl or code != "nl")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), validators=[DataRequired(), Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=4000)])
    languages = MultiCheckboxField(_l("Languages besides Dutch"), choices=language_choices(False))
    facilitators = MultiCheckboxField(_l("Facilitators"), coerce=int, choices=[])


class MemberForm(FlaskForm):
    alias = StringField(
        _l("Name or alias"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("A first name or a chosen alias is enough."),
    )
    languages = MultiCheckboxField(_l("Languages"), choices=language_choices())
    interpreter_needed = BooleanField(_l("Needs an interpreter"))
    consent_date = DateField(_l("Date of consent"), validators=[InputRequired()])
    consent_scope = StringField(
        _l("What was consented to"),
        validators=[DataRequired(), Length(max=300)],
        default="Deelname aan de klankbordgroep",
    )
    consent_given_by = StringField(
        _l("Consent given by"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("A role, e.g. 'the member', 'guardian'; not a name."),
        default="het lid zelf",
    )
    contact_consent = BooleanField(_l("Consents to storing contact details"))
    contact = StringField(
        _l("Phone or e-mail"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only with explicit consent."),
    )


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_link = URLField(_l("Online link"), validators=[Optional(), URL(), Length(max=500)])
    interpreters = MultiCheckboxField(
        _l("Interpreters present for"), choices=language_choices(False)
    )

    def starts_at_utc(self) -> datetime:
        """The entered local time as naive UTC (what the database stores)."""
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        local = self.starts_at.data.replace(tzinfo=zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    def set_starts_at(self, utc: datetime) -> None:
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        self.starts_at.data = (
            utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
        )


class TranslatedForm(FlaskForm):
    """A form with per-language fields named ``<prefix>_<lang>``."""

    languages: tuple[str, ...] = ()

    def translations(self, prefix: str) -> dict[str, str]:
        return {lang: (getattr(self, f"{prefix}_{lang}").data or "") for lang in self.languages}

    def translated_fields(self, prefix: str) -> list:
        return [getattr(self, f"{prefix}_{lang}") for lang in self.languages]

    def fill(self, prefix: str, values: dict[str, str]) -> None:
        for lang in self.languages:
            getattr(self, f"{prefix}_{lang}").data = values.get(lang, "")


def with_translations(
    base: type[TranslatedForm], languages: list[str], fields: list[tuple[str, object, bool, int]]
) -> type[TranslatedForm]:
    """Subclass ``base`` with a field per language for each (prefix, label, textarea, max)."""
    languages = ["nl", *[code for code in languages if code != "nl"]]
    attrs: dict[str, object] = {"languages": tuple(languages)}
    for prefix, label, textarea, max_length in fields:
        for lang in languages:
            field_cls = TextAreaField if textarea else StringField
            validators = [Length(max=max_length)]
            if lang == "nl" and prefix not in ("not_done",):
                validators.insert(0, DataRequired())
            else:
                validators.insert(0, Optional())
            attrs[f"{prefix}_{lang}"] = field_cls(
                f"{label} ({LANGUAGE_NAMES[lang]})",
                validators=validators,
                render_kw={"lang": lang, "dir": "rtl" if lang in ("ar", "fa") else "ltr"},
            )
    return type(f"{base.__name__}For{'_'.join(languages)}", (base,), attrs)


class AgendaItemBase(TranslatedForm):
    title = StringField(_l("Title (for staff)"), validators=[DataRequired(), Length(max=200)])
    theme_id = SelectField(_l("Theme"), coerce=_optional_int, choices=[], validate_choice=True)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)])
    decisions = TextAreaField(_l("Decisions"), validators=[Optional(), Length(max=20000)])


def agenda_item_form(languages: list[str], themes, **kwargs) -> TranslatedForm:
    cls = with_translations(
        AgendaItemBase, languages, [("question", _l("Question to the group"), True, 1000)]
    )
    form = cls(**kwargs)
    form.theme_id.choices = options([(None, "—")] + [(theme.id, theme.name_nl) for theme in themes])
    return form


class PollBase(TranslatedForm):
    agenda_item_id = SelectField(_l("Agenda item"), coerce=_optional_int, choices=[])


def poll_form(languages: list[str], items, **kwargs) -> TranslatedForm:
    cls = with_translations(
        PollBase,
        languages,
        [
            ("question", _l("Poll question"), False, 300),
            ("options", _l("Options, one per line"), True, 2000),
        ],
    )
    form = cls(**kwargs)
    form.agenda_item_id.choices = options(
        [(None, "—")] + [(item.id, f"{item.position}. {item.title}") for item in items]
    )
    return form


def poll_options(form: TranslatedForm) -> list[dict[str, str]]:
    """Turn per-language option lists into [{language: option}]; Dutch decides the count."""
    per_lang = {
        lang: [line.strip() for line in text.splitlines() if line.strip()]
        for lang, text in form.translations("options").items()
    }
    count = len(per_lang.get("nl", []))
    return [
        {lang: lines[i] for lang, lines in per_lang.items() if i < len(lines)} for i in range(count)
    ]


ACTION_STATUS_CHOICES = options(
    [
        (ActionStatus.OPEN.value, _l("open")),
        (ActionStatus.IN_PROGRESS.value, _l("in progress")),
        (ActionStatus.DONE.value, _l("done")),
        (ActionStatus.DROPPED.value, _l("dropped")),
    ]
)


class ActionForm(FlaskForm):
    description = TextAreaField(_l("Action"), validators=[DataRequired(), Length(max=2000)])
    owner = StringField(
        _l("Owner (department or role)"), validators=[DataRequired(), Length(max=200)]
    )
    due_date = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=ACTION_STATUS_CHOICES)
    agenda_item_id = SelectField(_l("Agenda item"), coerce=_optional_int, choices=[])


class AttendanceForm(FlaskForm):
    attendance_count = IntegerField(
        _l("Number of people present"), validators=[Optional(), NumberRange(min=0, max=10000)]
    )
    members = MultiCheckboxField(_l("Members present (optional)"), coerce=int, choices=[])


class UpdateBase(TranslatedForm):
    theme_name = SelectField(_l("Theme"), choices=[])
    agenda_item_id = SelectField(_l("Agenda item"), coerce=_optional_int, choices=[])
    action_id = SelectField(_l("Action"), coerce=_optional_int, choices=[])
    publish = BooleanField(_l("Publish on the public page"))


def update_form(languages: list[str], themes, items, actions, **kwargs) -> TranslatedForm:
    cls = with_translations(
        UpdateBase,
        languages,
        [
            ("title", _l("Heading"), False, 200),
            ("result", _l("What the input led to"), True, 4000),
            ("not_done", _l("What could not be done, and why"), True, 4000),
        ],
    )
    form = cls(**kwargs)
    form.theme_name.choices = options(
        [("", "—")] + [(theme.name_nl, theme.name_nl) for theme in themes]
    )
    form.agenda_item_id.choices = options(
        [(None, "—")]
        + [(item.id, f"{item.meeting.title}: {item.position}. {item.title}") for item in items]
    )
    form.action_id.choices = options([(None, "—")] + [(a.id, a.description[:80]) for a in actions])
    return form


class ThemeForm(FlaskForm):
    name_nl = StringField(_l("Name in Dutch"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=120)])
