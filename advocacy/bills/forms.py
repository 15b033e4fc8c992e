"""Bill forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from advocacy.congress.citations import CitationError, parse_citation


class TrackForm(FlaskForm):
    citation = StringField(
        "Bill",
        validators=[DataRequired(), Length(max=300)],
        description='e.g. "H.R. 5323", "116 S. 4426", "H.R. 3571 (116th)" or a congress.gov link.',
    )
    campaign = SelectField("Add to campaign", choices=[], validate_choice=True, default="")
    submit = SubmitField("Track bill")

    def validate_citation(self, field: StringField) -> None:
        try:
            self.parsed = parse_citation(field.data or "")
        except CitationError as exc:
            raise ValidationError(str(exc)) from exc


class SyncForm(FlaskForm):
    submit = SubmitField("Sync now")


class TrackRelatedForm(FlaskForm):
    citation = HiddenField(validators=[DataRequired()])
    campaign = HiddenField()
    submit = SubmitField("Track")

    def validate_citation(self, field: HiddenField) -> None:
        try:
            self.parsed = parse_citation(field.data or "")
        except CitationError as exc:
            raise ValidationError(str(exc)) from exc
