"""Campaign forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


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
    submit = SubmitField("Save campaign")
