"""Staff forms: invitations (one, or a CSV of many) and the review actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from advocacy.endorsements.errors import CityLookupError
from advocacy.endorsements.queries import find_city
from advocacy.models import City


class InviteForm(FlaskForm):
    """Invite one city's office."""

    city = StringField(
        "City",
        validators=[DataRequired("Enter the city as “City, ST”.")],
        description="e.g. “Los Angeles, CA”",
        filters=[lambda v: " ".join((v or "").split())],
    )
    email = EmailField(
        "Contact e-mail", validators=[DataRequired("Enter the e-mail address."), Email("Enter a valid e-mail address.")]
    )
    name = StringField("Contact name", validators=[Optional(), Length(max=200)])

    resolved_city: City | None = None

    def validate_city(self, field: StringField) -> None:
        try:
            self.resolved_city = find_city(field.data)
        except CityLookupError as exc:
            raise ValidationError(str(exc)) from exc


class BulkInviteForm(FlaskForm):
    """A CSV with the columns city, state, email, name."""

    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file."), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
        description="Header row: city,state,email,name. One invitation per row.",
    )


class ReasonForm(FlaskForm):
    """Reject or withdraw: a reason is required."""

    reason = TextAreaField("Reason", validators=[DataRequired("Give a reason."), Length(max=2000)])


class ActionForm(FlaskForm):
    """A bare button (approve, resend, revoke): CSRF only."""
