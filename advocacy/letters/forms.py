"""Letter forms: template editor, batch generation, delivery log."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from advocacy.models.letters import DELIVERY_METHODS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SELECTOR_RE = re.compile(
    r"^(committee|leaders|state|member):\S.*$|^(endorsers|cosponsors|noncosponsors|all)$", re.IGNORECASE
)


class TemplateForm(FlaskForm):
    """A letter template; the fields with merge fields are checked by a dry render when saved (in the view)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Slug",
        validators=[DataRequired(), Length(max=80), Regexp(SLUG_RE, message="Lower-case letters, digits, hyphens.")],
    )
    re_line = StringField("RE: line", validators=[Length(max=300)])
    body_format = SelectField(
        "Body format",
        choices=[SelectChoice("markdown", "Markdown"), SelectChoice("plain", "Plain paragraphs")],
        default="markdown",
    )
    body = TextAreaField("Body", validators=[DataRequired(), Length(max=50_000)], render_kw={"rows": 18})
    closing = StringField("Closing", validators=[DataRequired(), Length(max=200)], default="Sincerely,")
    signature_block = TextAreaField("Signature block", validators=[Length(max=5000)])
    letterhead_name = StringField("Letterhead: organisation", validators=[Length(max=200)])
    letterhead_address = TextAreaField("Letterhead: address", validators=[Length(max=1000)], render_kw={"rows": 3})
    logo = FileField("Logo (PNG, JPEG or SVG, at most 512 KB)")
    remove_logo = BooleanField("Remove the current logo")


class GenerateForm(FlaskForm):
    """Generate a batch: template, campaign, recipients."""

    template = SelectField("Template", validators=[DataRequired()])
    campaign = SelectField("Campaign", validators=[DataRequired()])
    selector = StringField(
        "Recipients",
        validators=[DataRequired(), Length(max=200)],
        description="committee:HSFA, committee:HSFA16, leaders:HSFA, state:CA, member:L000582 (or several, "
        "comma-separated), endorsers, cosponsors, noncosponsors, all",
    )
    joint = BooleanField("One joint letter to all recipients (with committee:…, one letter to the whole committee)")
    include_samples = BooleanField(
        "Include sample (demo) endorsements: every page is marked “SAMPLE — NOT FOR SENDING”"
    )

    def validate_selector(self, field: StringField) -> None:
        if not SELECTOR_RE.match(field.data.strip()):
            raise ValidationError("Unknown recipients: use one of the forms listed below the field.")


class DeliveryForm(FlaskForm):
    """Mark a letter as sent."""

    method = SelectField("How", choices=[SelectChoice(k, v) for k, v in DELIVERY_METHODS.items()])
    sent_on = DateField("Date", validators=[DataRequired()], default=date.today)
    person = StringField("By / to whom", validators=[DataRequired(), Length(max=200)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])
