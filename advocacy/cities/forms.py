"""City forms: add/edit a city, set its districts by hand, suggest them from ZIP codes."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from advocacy.cities.services import parse_district_list, parse_domains
from advocacy.cities.states import STATES

_ZIP = re.compile(r"^\d{5}$")


def state_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a state")] + [
        SelectChoice(code, f"{code} ({name})") for code, name in sorted(STATES.items())
    ]


def _tristate(value: object) -> bool | None:
    """ "yes" / "no" / "" (the rule) <-> True / False / None, for City.endorsable_override."""
    return {"yes": True, "no": False, "True": True, "False": False, True: True, False: False}.get(value)


class CityForm(FlaskForm):
    """A city entered or corrected by an advocate."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    state = SelectField("State", choices=state_choices(), validators=[DataRequired()])
    population = IntegerField("Population", validators=[Optional(), NumberRange(min=0, max=50_000_000)])
    mayor_name = StringField("Mayor", validators=[Optional(), Length(max=200)])
    email_domains = TextAreaField(
        "Official e-mail domains",
        validators=[Optional(), Length(max=2000)],
        description="Addresses at these domains verify a signer, e.g. lacity.org (one per line or comma-separated).",
    )
    latitude = FloatField("Latitude", validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(min=-180, max=180)])
    endorsable_override = SelectField(
        "Can endorse",
        choices=[
            SelectChoice("", "By the rule: municipalities only (not census-designated places)"),
            SelectChoice("yes", "Yes, even though it is not a municipality"),
            SelectChoice("no", "No"),
        ],
        coerce=_tristate,
        validate_choice=False,
        description="Only municipalities can endorse by default; mark a place endorsable after checking it has a government.",
    )
    submit = SubmitField("Save city")

    @staticmethod
    def filter_email_domains(value: object) -> object:
        """The stored list (Form(obj=city)) as the text the field edits; a POST without the field keeps it."""
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def validate_state(self, field: SelectField) -> None:
        if field.data not in STATES:
            raise ValidationError("Choose a state, DC or a territory from the list.")

    def validate_email_domains(self, field: TextAreaField) -> None:
        try:
            self.domains = parse_domains(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def values(self) -> dict:
        """The validated values, as the city services take them."""
        return {
            "name": self.name.data.strip(),
            "state": self.state.data,
            "population": self.population.data,
            "mayor_name": (self.mayor_name.data or "").strip() or None,
            "email_domains": parse_domains(self.email_domains.data or ""),
            "latitude": self.latitude.data,
            "longitude": self.longitude.data,
            "endorsable_override": _tristate(self.endorsable_override.data),
        }


class DistrictsForm(FlaskForm):
    """Districts set by hand, e.g. "CA-36, CA-37" or "36 37" (the city's state is assumed)."""

    districts = StringField("Districts", validators=[Length(max=500)], description="e.g. CA-36, CA-37 or AK-AL.")
    submit = SubmitField("Set districts")

    def __init__(self, *args, state: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.city_state = state
        self.pairs: set[tuple[str, int]] = set()

    def validate_districts(self, field: StringField) -> None:
        try:
            self.pairs = parse_district_list(field.data or "", self.city_state)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class ZipForm(FlaskForm):
    """ZIP codes of a city, to look its districts up in the ZIP → district table."""

    zips = StringField("ZIP codes", validators=[DataRequired(), Length(max=2000)], description="e.g. 90401 90402")
    submit = SubmitField("Suggest from ZIP codes")

    def validate_zips(self, field: StringField) -> None:
        tokens = [t for t in re.split(r"[\s,;]+", field.data or "") if t]
        bad = [t for t in tokens if not _ZIP.match(t[:5]) or (len(t) > 5 and not re.match(r"^\d{5}-\d{4}$", t))]
        if bad:
            raise ValidationError(f"Not a ZIP code: {', '.join(bad[:5])}")
        self.codes = sorted({t[:5] for t in tokens})
