"""Login and account forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from advocacy.models import ROLES


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Log in")


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(r, r.capitalize()) for r in ROLES], default="viewer")
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, max=200, message="Passwords need at least 10 characters.")],
        description="At least 10 characters.",
    )
    submit = SubmitField("Create account")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, max=200, message="Passwords need at least 10 characters.")],
        description="At least 10 characters. Changing it logs you out everywhere else.",
    )
    confirm = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")]
    )
    submit = SubmitField("Change password")


class LogoutEverywhereForm(FlaskForm):
    submit = SubmitField("Log out everywhere")
