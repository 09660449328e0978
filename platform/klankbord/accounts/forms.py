"""Forms for login, invitations and administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from klankbord.accounts.models import LocationKind, Role
from klankbord.accounts.passwords import password_problem

ROLE_CHOICES = [
    SelectChoice(Role.FACILITATOR.value, _l("Facilitator")),
    SelectChoice(Role.POLICYMAKER.value, _l("Policymaker")),
    SelectChoice(Role.ADMIN.value, _l("Administrator")),
]


#: One @, no spaces, a dot in the domain. WTForms' Email() needs the email_validator package,
#: which Klankbord does not install; this is enough to catch typing mistakes.
EMAIL_ADDRESS = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid e-mail address."))

LOCATION_KIND_CHOICES = [
    SelectChoice(LocationKind.AZC.value, _l("AZC (asylum seekers' centre)")),
    SelectChoice(LocationKind.GOO.value, _l("Municipal reception of Ukrainians (GOO)")),
    SelectChoice(LocationKind.NOODOPVANG.value, _l("Emergency reception (noodopvang)")),
    SelectChoice(LocationKind.DOORSTROOM.value, _l("Transit location (doorstroomlocatie)")),
    SelectChoice(LocationKind.OTHER.value, _l("Other")),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=1024)]
    )


class TotpForm(FlaskForm):
    code = StringField(
        _l("6-digit code from your authenticator app"),
        validators=[DataRequired(), Length(min=6, max=12)],
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), EMAIL_ADDRESS, Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class AcceptInviteForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        description=_l("At least 12 characters. A sentence of a few words is easy to remember."),
        validators=[DataRequired()],
    )

    def validate_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class JoinWithAccountForm(FlaskForm):
    """Accept an invitation with the account that already has the invited address."""

    password = PasswordField(
        _l("Password of your account"), validators=[Optional(), Length(max=1024)]
    )


def role_label(role: str) -> str:
    """The translated name of a role value, for pages and mails."""
    return str(next((c.label for c in ROLE_CHOICES if c.value == role), role))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class LocationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of location"), choices=LOCATION_KIND_CHOICES)
