"""Login, logout, roles, CSRF and the `next` redirect."""

from sqlalchemy import select

from advocacy.extensions import db
from advocacy.models import Campaign, User
from tests.conftest import submit


def test_login_and_logout(client, make_user, auth):
    """A user logs in with the right password, sees the dashboard, and is logged out after logging out."""
    email = make_user("viewer")
    response = auth.login(email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200 and email in page.get_data(as_text=True)
    auth.logout()
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_refused(client, make_user, auth, app):
    """A wrong password shows an error, does not log in, and counts the failure."""
    email = make_user("viewer")
    response = auth.login(email, "wrong password!!")
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.failed_logins).where(User.email == email)) == 1


def test_unknown_email_gets_the_same_message(client, auth):
    """An unknown e-mail is indistinguishable from a wrong password."""
    response = auth.login("nobody@example.org", "whatever password")
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_anonymous_is_redirected_to_login(client):
    """Staff pages send anonymous visitors to the login page with `next`."""
    for url in ("/dashboard", "/bills/", "/campaigns/", "/members/", "/cities/", "/letters/", "/admin/users"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login?next=" in response.headers["Location"], url


def test_viewer_cannot_edit_but_advocate_can(client, login_as, demo, auth):
    """A viewer gets 403 on the campaign edit page; an advocate can save the form."""
    login_as("viewer")
    assert client.get("/campaigns/city-state-diplomacy/edit").status_code == 403
    assert client.post("/campaigns/city-state-diplomacy/edit", data={"name": "x"}).status_code in (400, 403)
    auth.logout()
    login_as("advocate")
    response = submit(
        client,
        "/campaigns/city-state-diplomacy/edit",
        {"name": "Renamed campaign", "ask": "Pass it.", "description": "", "attestation": "I am authorised."},
    )
    assert response.status_code == 302
    page = client.get("/campaigns/city-state-diplomacy").get_data(as_text=True)
    assert "Renamed campaign" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "edited (name, ask, description, attestation)" in dashboard


def test_admin_pages_need_admin(client, login_as, auth):
    """Advocates cannot reach the admin pages; admins can create accounts there."""
    login_as("advocate")
    assert client.get("/admin/users").status_code == 403
    auth.logout()
    login_as("admin")
    response = submit(
        client, "/admin/users", {"email": "new.person@example.org", "role": "advocate", "password": "a long passphrase"}
    )
    assert response.status_code == 302
    assert "new.person@example.org" in client.get("/admin/users").get_data(as_text=True)


def test_admin_sees_form_errors_for_weak_password_and_duplicate(client, login_as):
    """Creating an account with a short password or an existing e-mail re-shows the form with the error."""
    admin = login_as("admin")
    short = submit(client, "/admin/users", {"email": "x@example.org", "role": "viewer", "password": "short"})
    assert short.status_code == 200 and "at least 10" in short.get_data(as_text=True)
    dup = submit(client, "/admin/users", {"email": admin, "role": "viewer", "password": "a long passphrase"})
    assert dup.status_code == 200 and "already exists" in dup.get_data(as_text=True)


def test_post_without_csrf_token_is_rejected(client, make_user):
    """A form post without its CSRF token is refused with a 400 page that explains why."""
    email = make_user("viewer")
    response = client.post("/login", data={"email": email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_next_redirect_is_local_only(client, make_user, auth):
    """`next` pointing to another site is ignored (no open redirect); a local path is followed."""
    email = make_user("viewer")
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = submit(
            client, f"/login?next={hostile}", {"email": email, "password": "correct horse battery"}, form_url="/login"
        )
        assert response.headers["Location"].endswith("/dashboard"), hostile
        auth.logout()
    response = submit(
        client, "/login?next=/bills/", {"email": email, "password": "correct horse battery"}, form_url="/login"
    )
    assert response.headers["Location"].endswith("/bills/")


def test_cli_creates_user_with_generated_password(runner, app, client, auth):
    """`flask users create EMAIL --role admin --generate` prints a password that works for logging in."""
    result = runner.invoke(args=["users", "create", "boss@example.org", "--role", "admin", "--generate"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    assert auth.login("boss@example.org", password).status_code == 302
    again = runner.invoke(args=["users", "create", "boss@example.org", "--role", "admin", "--generate"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_cli_rejects_weak_password(runner):
    """The CLI applies the password policy."""
    result = runner.invoke(args=["users", "create", "a@example.org", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output


def test_campaign_edit_validation_keeps_input(client, login_as, demo, app):
    """An invalid campaign edit shows the error and keeps what was typed; nothing is saved."""
    login_as("advocate")
    response = submit(
        client, "/campaigns/city-state-diplomacy/edit", {"name": "Kept name", "ask": "", "attestation": "x"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "This field is required." in body and 'value="Kept name"' in body
    with app.app_context():
        assert db.session.scalar(select(Campaign.name).where(Campaign.slug == "city-state-diplomacy")) != "Kept name"


def test_account_errors_are_typed_and_current_staff_is_the_logged_in_user(app, make_user):
    """The service raises one error class per problem (the forms put each on its field); `current_staff()` is
    the request's User when logged in and refuses to guess when nobody is."""
    import pytest
    from flask_login import login_user

    from advocacy.auth import current_staff, logged_in_staff
    from advocacy.auth.services import EmailTaken, InvalidEmail, UnknownRole, WeakPassword, create_user, start_session

    email = make_user("advocate")
    with app.app_context():
        for args, error in (
            ((email, "a long passphrase", "viewer"), EmailTaken),
            (("new@example.org", "short", "viewer"), WeakPassword),
            (("not-an-address", "a long passphrase", "viewer"), InvalidEmail),
            (("new@example.org", "a long passphrase", "owner"), UnknownRole),
        ):
            with pytest.raises(error):
                create_user(*args, actor="test")
    with app.test_request_context("/"):
        assert logged_in_staff() is None
        with pytest.raises(RuntimeError, match="logged-in staff member"):
            current_staff()
        user = db.session.scalar(select(User).where(User.email == email))
        start_session(user)
        login_user(user)
        assert current_staff() is user and user.has_role("advocate")
