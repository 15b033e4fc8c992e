"""Campaign forms."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from advocacy.models.campaigns import DEFAULT_ATTESTATION

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    ask = TextAreaField(
        "The ask",
        validators=[DataRequired(), Length(max=5000)],
        description="One or two sentences: what you ask Congress to do.",
    )
    description = TextAreaField("Description", validators=[Length(max=20000)])
    allow_open_signon = BooleanField("Allow open sign-on (cities may sign without an invitation)")
    attestation = TextAreaField("Attestation signers must accept", validators=[DataRequired(), Length(max=2000)])
    contact_email = EmailField(
        "Staff contact e-mail",
        validators=[Optional(), Email("Enter a valid e-mail address."), Length(max=254)],
        description="Shown to signers (e.g. when their city has already endorsed).",
    )
    submit = SubmitField("Save campaign")


class NewCampaignForm(CampaignForm):
    """Creating a campaign also fixes its slug (the public address /c/<slug>)."""

    slug = StringField(
        "Slug",
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(SLUG_RE, message="Use lower-case letters, digits and single hyphens, e.g. city-diplomacy."),
        ],
        description="Part of the public address /c/<slug>; it cannot be changed later.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.attestation.data:
            self.attestation.data = DEFAULT_ATTESTATION


class LinkBillForm(FlaskForm):
    citation = StringField(
        "Bill",
        validators=[DataRequired("Enter a bill citation, e.g. “H.R. 5323 (119th)”."), Length(max=300)],
        description="A citation such as “H.R. 3571 (116th)”, “S. 4426 116th” or a Congress.gov link.",
    )
