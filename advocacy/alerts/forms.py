"""Alert, webhook and unsubscribe forms."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from advocacy.alerts.webhooks import WEBHOOK_EVENT_TYPES, WebhookError, validate_url
from advocacy.models.alerts import DAILY, FOLLOW_TYPES, IMMEDIATE


class FollowForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired()])
    target_key = HiddenField(validators=[DataRequired(), Length(max=40)])
    next = HiddenField()
    submit = SubmitField("Follow")

    def validate_target_type(self, field: HiddenField) -> None:
        if field.data not in FOLLOW_TYPES:
            raise ValidationError("There is nothing to follow at that address.")


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (unfollow, pause a webhook...)."""

    next = HiddenField()
    submit = SubmitField("Go")


class SettingsForm(FlaskForm):
    mode = RadioField(
        "E-mail me",
        choices=[
            SelectChoice(IMMEDIATE, "as things happen (one e-mail per run of the alerts job)"),
            SelectChoice(DAILY, "once a day, in a digest"),
        ],
        validators=[DataRequired()],
    )
    submit = SubmitField("Save")


class UnsubscribeForm(FlaskForm):
    """The confirm button of the login-free unsubscribe page: the signed token in the URL is the authority."""

    class Meta:
        csrf = False

    submit = SubmitField("Unsubscribe")


class MultiCheckboxField(SelectMultipleField):
    # WTForms' documented recipe for a list of checkboxes; its stubs type these as the <select> widgets.
    widget = widgets.ListWidget(prefix_label=False)  # type: ignore[assignment]  # stubs: the <select> widget type
    option_widget = widgets.CheckboxInput()  # type: ignore[assignment]  # stubs: the <option> widget type


class WebhookForm(FlaskForm):
    url = StringField(
        "Receiver URL",
        validators=[DataRequired(), Length(max=500)],
        description="http:// or https:// only, no credentials.",
    )
    description = StringField("Description", validators=[Optional(), Length(max=200)])
    event_types = MultiCheckboxField(
        "Event types",
        choices=[SelectChoice(t, t) for t in WEBHOOK_EVENT_TYPES],
        validators=[DataRequired("Choose at least one event type.")],
    )
    submit = SubmitField("Add webhook")

    def validate_url(self, field: StringField) -> None:
        try:
            field.data = validate_url(field.data)
        except WebhookError as exc:
            raise ValidationError(str(exc)) from exc
