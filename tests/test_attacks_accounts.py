"""Issue #17, accounts: the attacks on logging in, written as the attacks.

Timing must not tell whether an address has an account, the "locked" answer must not either, and a session cookie
copied before logout (or before "log out everywhere", or a password change) must open nothing afterwards.
"""

from __future__ import annotations

import statistics
import time

import pytest
from flask import Flask

from tests.conftest import csrf_token, submit

PASSWORD = "correct horse battery"


@pytest.fixture
def scrypt_accounts(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passwords as production does (the tests' fast pbkdf2 would hide the difference)."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")


def _timed_login(client, token: str, email: str, address: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.post(
        "/login",
        data={"email": email, "password": "not the password", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed, response.get_data(as_text=True)


def test_a_wrong_password_takes_as_long_for_an_unknown_address(app, client, make_user, scrypt_accounts):
    """Medians over 15 tries each (interleaved): an unknown address answers within 40 % of an existing one.

    Compared against each other in the same run, so a slow or busy machine slows both; before the fix the unknown
    path hashed with cheap pbkdf2 and answered about 15 times faster.
    """
    email = make_user("viewer")
    token = csrf_token(client, "/login")
    known, unknown = [], []
    for i in range(15):  # a new address per try: the per-address rate limit is not what is measured
        known.append(_timed_login(client, token, email, f"10.0.1.{i}")[0])
        unknown.append(_timed_login(client, token, f"nobody{i}@example.org", f"10.0.2.{i}")[0])
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.67, f"unknown/known median ratio {ratio:.2f}"


def test_every_login_path_hashes_once_with_the_accounts_own_parameters(
    app, client, make_user, auth, scrypt_accounts, monkeypatch
):
    """The same property without a clock: a known address, an unknown one and a locked account each check the
    password exactly once against a hash of the same method and parameters (scrypt:N:r:p), so none answers faster."""
    from advocacy.auth import services

    real_check = services.check_password_hash
    methods: list[str] = []

    def counting_check(pwhash: str, password: str) -> bool:
        methods.append(pwhash.split("$", 1)[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting_check)
    email = make_user("viewer")
    per_login = []
    for address in (email, "nobody@example.org", *[email] * 5):  # the last ones hit the lockout
        methods.clear()
        auth.login(address, "not the password")
        per_login.append(list(methods))
    assert all(len(calls) == 1 for calls in per_login), per_login
    used = {calls[0] for calls in per_login}
    assert len(used) == 1 and used.pop().startswith("scrypt:"), per_login


def _flash(page: str) -> str:
    return page.split('class="flash', 1)[1].split("</", 1)[0]


def test_a_locked_account_answers_like_an_unknown_address(app, client, make_user, auth):
    """After the lockout, the right password gets the same status and message as an address with no account."""
    email = make_user("viewer")
    for _ in range(5):
        auth.login(email, "wrong password!!")
    locked = auth.login(email)  # the right password, refused while locked
    unknown = auth.login("nobody@example.org")
    assert locked.status_code == unknown.status_code == 200
    assert _flash(locked.get_data(as_text=True)) == _flash(unknown.get_data(as_text=True))
    assert "locked" in _flash(unknown.get_data(as_text=True))  # says what may have happened, for both
    assert client.get("/dashboard").status_code == 302


def _copy_of(client, app: Flask):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_cookie_is_refused_after_logout(app, client, login_as, auth):
    """Logout ends the login on the server: a copy of the cookie taken before no longer opens the dashboard."""
    login_as("viewer")
    thief = _copy_of(client, app)
    assert thief.get("/dashboard").status_code == 200
    auth.logout()
    response = thief.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_log_out_everywhere_ends_every_login(app, client, make_user, auth):
    """Two browsers logged in; "Log out everywhere" (account page) in one ends both, and a copied cookie."""
    email = make_user("advocate")
    other = app.test_client()
    auth.login(email)
    submit(other, "/login", {"email": email, "password": PASSWORD})
    thief = _copy_of(client, app)
    assert other.get("/dashboard").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert "Log out everywhere" in page
    response = submit(client, "/account/logout-everywhere", {}, form_url="/account")
    assert response.status_code == 302
    for browser in (client, other, thief):
        assert browser.get("/dashboard").status_code == 302


def test_a_password_change_ends_the_other_logins(app, client, make_user, auth):
    """Changing the password on the account page keeps this login and ends the others; the old password fails."""
    email = make_user("viewer")
    other = app.test_client()
    auth.login(email)
    submit(other, "/login", {"email": email, "password": PASSWORD})
    wrong = submit(
        client,
        "/account",
        {"current": "not it at all", "new": "a new long passphrase", "confirm": "a new long passphrase"},
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.get_data(as_text=True)
    assert other.get("/dashboard").status_code == 200
    data = {"current": PASSWORD, "new": "a new long passphrase", "confirm": "a new long passphrase"}
    assert submit(client, "/account", data).status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 302
    fresh = app.test_client()
    assert submit(fresh, "/login", {"email": email, "password": PASSWORD}).status_code == 200
    assert submit(fresh, "/login", {"email": email, "password": "a new long passphrase"}).status_code == 302
