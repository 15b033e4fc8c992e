"""Campaign forms."""

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from advocacy.letters.standing import PLACEHOLDERS, SEGMENTS, AskError, check_ask
from advocacy.models.campaigns import DEFAULT_ATTESTATION

ASK_FIELDS = {key: f"ask_{key}" for key in SEGMENTS}
ASK_HELP = "Placeholders: " + "; ".join(f"{{{name}}} {what}" for name, what in PLACEHOLDERS.items()) + "."


def _valid_ask(form, field) -> None:
    try:
        check_ask(field.data or "")
    except AskError as exc:
        raise ValidationError(str(exc)) from None


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

    def ask_fields(self) -> list:
        """The letters' ask per segment, in SEGMENTS order (for the template)."""
        return [getattr(self, name) for name in ASK_FIELDS.values()]

    def load_asks(self, stored: dict | None) -> None:
        """Show the campaign's own wording per segment (empty where it uses the default)."""
        for key, name in ASK_FIELDS.items():
            getattr(self, name).data = (stored or {}).get(key, "")

    def asks_data(self) -> dict[str, str]:
        """The asks to store: only those that differ from the default."""
        result = {}
        for key, name in ASK_FIELDS.items():
            text = (getattr(self, name).data or "").strip()
            if text and text != SEGMENTS[key][1]:
                result[key] = text
        return result


for _key, (_label, _default) in SEGMENTS.items():
    setattr(
        CampaignForm,
        ASK_FIELDS[_key],
        TextAreaField(
            f"Letter ask: {_label}",
            validators=[Optional(), Length(max=2000), _valid_ask],
            description=f"Default (used when the box is empty): “{_default}”",
            render_kw={"rows": 2},
        ),
    )


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
