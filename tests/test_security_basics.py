"""Security headers, account lockout, and backup round-trips."""

import json

from sqlalchemy import func, select

from advocacy.extensions import db
from advocacy.models import Bill, BillAction, Campaign, City, Endorsement, Event, Member, User


def test_security_headers_on_every_response(client, login_as, demo):
    """Pages, errors and static files carry CSP without inline scripts, nosniff, referrer policy, no framing."""
    login_as("viewer")
    for url in ("/login", "/dashboard", "/bills/116/hr/3571", "/nope", "/static/css/app.css"):
        response = client.get(url)
        response.close()  # static files are streamed from disk
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], url
        assert "frame-ancestors 'none'" in csp, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_scripts_in_pages(client, login_as, demo):
    """Staff pages contain no inline <script> blocks (the CSP would block them)."""
    login_as("admin")
    for url in ("/dashboard", "/bills/", "/bills/117/hr/4526", "/campaigns/city-state-diplomacy", "/members/"):
        body = client.get(url).get_data(as_text=True)
        for chunk in body.split("<script")[1:]:
            assert chunk.split(">", 1)[0].strip().startswith("src="), url


def test_account_locks_after_repeated_failures(client, make_user, auth, app):
    """Five wrong passwords lock the account: even the right password is refused until the lock expires."""
    email = make_user("viewer")
    for _ in range(5):
        assert auth.login(email, "wrong password!!").status_code == 200
    locked = auth.login(email)
    assert locked.status_code == 200 and "Wrong e-mail or password" in locked.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.locked_until = None
        db.session.commit()
    assert auth.login(email).status_code == 302


def test_login_is_rate_limited_per_address(client, make_user, auth):
    """More than ten login posts a minute from one address get 429."""
    statuses = [auth.login(f"nobody{i}@example.org", "whatever password").status_code for i in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429


def test_export_import_round_trip(runner, app, demo, tmp_path, make_user):
    """`flask export` then `flask import` into an empty database restores every row."""
    make_user("admin")
    path = tmp_path / "backup.jsonl"
    result = runner.invoke(args=["export", str(path)])
    assert result.exit_code == 0, result.output
    models = (Bill, BillAction, Campaign, City, Endorsement, Event, Member, User)
    with app.app_context():
        before = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
        bill_doc = db.session.scalar(select(Bill.title).where(Bill.number == 5323))
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    # Empty the database, keeping the schema.
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    restored = runner.invoke(args=["import", str(path)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        after = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}
        assert db.session.scalar(select(Bill.title).where(Bill.number == 5323)) == bill_doc
        # New rows get fresh ids after a restore (sequences moved on PostgreSQL).
        db.session.add(City(name="Newtown", state="CT"))
        db.session.commit()
    assert after == before
    again = tmp_path / "again.jsonl"
    runner.invoke(args=["export", str(again)])
    first_lines = [json.loads(line) for line in path.read_text().splitlines()]
    second_lines = [json.loads(line) for line in again.read_text().splitlines()]
    assert [x for x in second_lines if x.get("row", {}).get("name") != "Newtown"] == first_lines


def test_import_rejects_a_bad_file(runner, tmp_path):
    """A file that is not a backup gives a clear error."""
    path = tmp_path / "bad.jsonl"
    path.write_text("hello\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "not a backup header" in result.output


def test_a_restore_that_fails_midway_leaves_the_database_empty(runner, app, tmp_path):
    """A backup whose later line is bad is rolled back whole: the rows before it are not kept (one unit of work)."""
    lines = [
        json.dumps({"format": "advocacy-backup", "version": 1}),
        json.dumps({"table": "city", "row": {"id": 1, "name": "Newtown", "state": "CT"}}),
        "not json",
    ]
    path = tmp_path / "half.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "line 3: invalid JSON" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(City)) == 0


def test_a_restore_that_fails_after_inserting_rows_keeps_none_of_them(runner, app, tmp_path):
    """The rows of a table already inserted (the next table's first row sends them) are rolled back too when a
    later line is bad: the restore commits once, at the end."""
    lines = [
        json.dumps({"format": "advocacy-backup", "version": 1}),
        json.dumps({"table": "city", "row": {"id": 1, "name": "Newtown", "state": "CT"}}),
        json.dumps({"table": "campaign", "row": {"id": 1, "slug": "half", "name": "Half"}}),
        "not json",
    ]
    path = tmp_path / "later.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "line 4: invalid JSON" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(City)) == 0
