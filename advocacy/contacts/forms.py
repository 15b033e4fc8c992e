"""Forms of the contacts feature: a contact, a CSV import, an interaction."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from advocacy.models.contacts import INTERACTION_KINDS, OUTCOMES


class OfficeFields:
    """The office a contact or interaction belongs to: a member (bioguide id) or a committee (thomas id)."""

    bioguide_id = StringField("Member (bioguide id)", validators=[Optional(), Length(max=10)])
    committee = StringField("or committee (thomas id, e.g. HSFA)", validators=[Optional(), Length(max=10)])

    def validate_committee(self, field: StringField) -> None:
        if bool((self.bioguide_id.data or "").strip()) == bool((field.data or "").strip()):
            raise ValidationError("Give either a member or a committee.")


class ContactForm(OfficeFields, FlaskForm):
    """A staffer of an office."""

    side = SelectField(
        "Committee staff side",
        choices=[SelectChoice("", "(member office)"), SelectChoice("majority", "Majority"),
                 SelectChoice("minority", "Minority")],
        default="",
    )  # fmt: skip
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = StringField(
        "Role", validators=[Length(max=120)], description="e.g. Foreign Affairs LA, Legislative Director, Scheduler"
    )
    email = StringField("E-mail", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    owner = StringField("Relationship held by (on our side)", validators=[Optional(), Length(max=200)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})


class ImportForm(FlaskForm):
    """A CSV of contacts."""

    file = FileField("CSV file", validators=[FileRequired()])


class InteractionForm(OfficeFields, FlaskForm):
    """A meeting, call or e-mail with an office."""

    kind = SelectField("Kind", choices=[SelectChoice(k, v) for k, v in INTERACTION_KINDS.items()])
    occurred_on = DateField("Date", validators=[DataRequired()], default=date.today)
    outcome = SelectField(
        "Outcome", choices=[SelectChoice("", "(none yet)")] + [SelectChoice(k, v) for k, v in OUTCOMES.items()],
        default="",
    )  # fmt: skip
    campaign = SelectField("Campaign (for a commitment to cosponsor)", validators=[Optional()])
    attendees = StringField("Who attended", validators=[Optional(), Length(max=2000)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=10_000)], render_kw={"rows": 3})
    follow_up_on = DateField("Follow up on", validators=[Optional()])
