"""The public signing form (and the small confirm / withdraw forms)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from advocacy.cities.services import parse_district_list
from advocacy.cities.states import district_label
from advocacy.endorsements.errors import CityLookupError, CityNotEndorsable
from advocacy.endorsements.queries import find_city
from advocacy.endorsements.services import ensure_endorsable
from advocacy.models import City

STATEMENT_MAX = 2000


def _squash(value: str | None) -> str:
    return " ".join((value or "").split())


class SignForm(FlaskForm):
    """Sign a campaign for a city. With an invitation the city is fixed, so the view deletes `city`."""

    city = StringField(
        "City",
        validators=[DataRequired("Enter your city as “City, ST”, for example “Austin, TX”.")],
        description="The city and its two-letter state code, e.g. “Austin, TX”.",
        filters=[_squash],
        render_kw={"list": "city-list", "autocomplete": "off"},
    )
    districts = TextAreaField(
        "Your city's congressional districts",
        validators=[Optional(), Length(max=500)],
        description="Confirm or correct them, separated by commas, e.g. “NY-10, NY-12” (AL for at-large).",
        filters=[_squash],
        render_kw={"rows": 2},
    )
    signer_name = StringField(
        "Your name", validators=[DataRequired("Enter your name."), Length(max=200)], filters=[_squash]
    )
    signer_title = StringField(
        "Your title",
        validators=[DataRequired("Enter your title, e.g. “Mayor” or “Chief of Staff”."), Length(max=200)],
        filters=[_squash],
    )
    signer_email = EmailField(
        "Official e-mail address",
        validators=[
            DataRequired("Enter your e-mail address."),
            Email("Enter a valid e-mail address, e.g. name@yourcity.gov."),
            Length(max=254),
        ],
        description="Use your address at the city: it verifies the endorsement at once.",
        filters=[lambda v: (v or "").strip()],
    )
    signer_phone = StringField(
        "Phone (optional)",
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+().\-\s/x]*$", message="Use digits, spaces and + ( ) - . only, e.g. (213) 555-0100."),
        ],
        filters=[_squash],
    )
    statement = TextAreaField(
        "Statement (optional)",
        validators=[
            Optional(),
            Length(max=STATEMENT_MAX, message=f"Keep the statement under {STATEMENT_MAX} characters."),
        ],
        description=f"Plain text, up to {STATEMENT_MAX:,} characters. It is shown on the campaign page.",
        filters=[lambda v: (v or "").strip()],
    )
    attestation = BooleanField(
        "I am authorised to endorse on behalf of the city.",
        validators=[DataRequired("You must confirm that you are authorised to endorse for the city.")],
    )
    signature = StringField(
        "Signature: type your full name",
        validators=[DataRequired("Type your name as your signature.")],
        filters=[_squash],
    )
    # Honeypot: hidden from sighted users by CSS, labelled so that screen-reader users leave it empty.
    website = StringField("Leave this field empty (it is here to catch spam robots)")

    resolved_city: City | None = None
    # The city of an invitation (the view deletes the `city` field then).
    fixed_city: City | None = None
    confirmed_districts: list[str] | None = None
    # Why this city cannot sign (already endorsed, not a municipality): shown above the form, answered with 409.
    already: str | None = None

    def validate_city(self, field: StringField) -> None:
        try:
            city = find_city(field.data)
            ensure_endorsable(city)
        except (CityLookupError, CityNotEndorsable) as exc:
            raise ValidationError(str(exc)) from exc
        self.resolved_city = city

    def validate_districts(self, field: StringField) -> None:
        city = self.fixed_city or self.resolved_city
        if not field.data or city is None:
            self.confirmed_districts = None
            return
        try:
            pairs = parse_district_list(field.data, city.state)
        except ValueError as exc:
            raise ValidationError(f"{exc}. Write districts as “ST-N”, e.g. “{city.state}-1”.") from exc
        self.confirmed_districts = [district_label(s, d) for s, d in sorted(pairs)]

    def validate_signature(self, field: StringField) -> None:
        if (field.data or "").casefold() != (self.signer_name.data or "").casefold():
            raise ValidationError("The signature must match your name as entered above.")


class ConfirmForm(FlaskForm):
    """A button: confirmation needs a POST, so that mail scanners that follow links confirm nothing."""


class WithdrawForm(FlaskForm):
    """The signer withdraws, optionally saying why."""

    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)])
