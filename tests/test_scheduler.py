"""The schedule (issue 15): the lease, each firing run once, the jobs' records on the dashboard, `flask worker`,
and two real worker processes on one database of which only one fires jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from advocacy.extensions import db
from advocacy.models import Campaign, EndorsementToken
from advocacy.models.base import utcnow
from advocacy.models.scheduler import ScheduledJob, ScheduledRun
from advocacy.scheduler import (
    ScheduleError,
    describe_schedule,
    hold_lease,
    parse_schedule,
    period_of,
    release_lease,
    run_task,
)
from tests.congress_fake import FAKE_API_KEY
from tests.test_e2e_browser import _log_in

ROOT = Path(__file__).resolve().parent.parent
SLUG = "city-state-diplomacy"


def test_schedule_settings_parse_crontab_and_intervals():
    """A crontab line and "every N s|m|h" are accepted with their periods; anything else is refused."""
    assert period_of(parse_schedule("7 * * * *")) == timedelta(hours=1)
    assert period_of(parse_schedule("*/5 * * * *")) == timedelta(minutes=5)
    assert period_of(parse_schedule("1 13 * * *")) == timedelta(days=1)
    assert period_of(parse_schedule("every 30 s")) == timedelta(seconds=30)
    assert period_of(parse_schedule("every 2m")) == timedelta(minutes=2)
    assert describe_schedule("7 * * * *") == "hourly at :07"
    assert describe_schedule("*/5 * * * *") == "every 5 minutes"
    assert describe_schedule("1 13 * * *") == "daily at 13:01 UTC"
    assert describe_schedule("0 9 * * 1") == "cron 0 9 * * 1 (UTC)"
    for bad in ("hourly", "every 0 s", "every 5 weeks", "61 * * * *", ""):
        with pytest.raises(ScheduleError):
            parse_schedule(bad)


def test_lease_has_one_holder_until_it_expires_or_is_released(app_ctx):
    """Only one process holds the lease; another takes it once it expired, or at once when released."""
    now = utcnow()
    assert hold_lease("a", 60, now)
    assert hold_lease("a", 60, now + timedelta(seconds=20))  # renewal
    assert not hold_lease("b", 60, now + timedelta(seconds=30))
    assert hold_lease("b", 60, now + timedelta(seconds=81))  # a's lease ran out at +80 s
    assert not hold_lease("a", 60, now + timedelta(seconds=82))
    release_lease("b")
    assert hold_lease("a", 60)


def test_each_firing_runs_once_even_with_two_lease_holders(app_ctx, demo):
    """A second process firing the same run (within half the period) finds it claimed and does nothing."""
    app = app_ctx
    first = run_task(app, "expiry", "process-a", min_gap=timedelta(hours=12))
    second = run_task(app, "expiry", "process-b", min_gap=timedelta(hours=12))
    assert first is not None and first.status == "ok" and second is None
    runs = db.session.scalars(select(ScheduledRun)).all()
    assert [(r.job_name, r.holder) for r in runs] == [("expiry", "process-a")]
    job = db.session.get(ScheduledJob, "expiry")
    assert job.runs == 1 and job.last_status == "ok" and job.last_finished_at is not None


def test_expiry_job_ends_signatures_whose_confirmation_link_expired(app_ctx, demo):
    """The scheduled expiry withdraws a pending endorsement whose confirmation link expired, freeing its city."""
    from advocacy.endorsements import services

    app = app_ctx
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
    details = services.SignerDetails(name="Ada Mayor", title="Mayor", email="ada@gmail.com", signature="Ada Mayor")
    endorsement = services.sign(campaign, services.find_city("Austin, TX"), details, client_ip=None)
    db.session.commit()
    run = run_task(app, "expiry", "test")
    assert endorsement.status == "pending" and "0 unconfirmed" in run.summary  # its link still works
    db.session.execute(update(EndorsementToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.execute(update(ScheduledJob).values(last_started_at=None))
    db.session.commit()
    run = run_task(app, "expiry", "test")
    db.session.refresh(endorsement)
    assert endorsement.status == "withdrawn" and run.summary.startswith("1 unconfirmed signature(s) ended")


def test_failed_sync_is_recorded_and_shown_on_the_dashboard(
    congress_app, congress_server, demo, client, login_as, monkeypatch
):
    """A sync that fails at Congress.gov is a failed run on the dashboard, in the schedule and the needs-you panel."""
    monkeypatch.setitem(congress_app.config, "CONGRESS_API_KEY", FAKE_API_KEY)
    congress_server.fail_next(None, "500", times=1000)
    with congress_app.app_context():
        run = run_task(congress_app, "bills_sync", "test")
        assert run.status == "failed" and "failed" in run.error
    login_as("viewer")
    page = client.get("/dashboard").get_data(as_text=True)
    schedule = page.split('id="schedule"', 1)[1]
    assert "Sync of tracked bills" in schedule and "badge-error" in schedule.split("schedule-alerts")[0]
    needs = page.split('id="needs-you"', 1)[1].split("</section>", 1)[0]
    assert "Bills whose last sync failed" in needs and "Scheduled jobs whose last run failed" in needs
    assert "/bills/119/hr/5323" in needs  # each failed bill is linked


def test_worker_run_option_runs_one_job(app, runner, demo):
    """`flask worker --run alerts` runs that job now, prints its result and records it; an unknown job is refused."""
    result = runner.invoke(args=["worker", "--run", "alerts"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("alerts: ok: 0 alert e-mail(s)")
    with app.app_context():
        assert db.session.get(ScheduledJob, "alerts").runs == 1
    result = runner.invoke(args=["worker", "--run", "nonsense"])
    assert result.exit_code != 0 and "unknown job" in result.output


# --- two real processes ----------------------------------------------------------------------------------------


def _worker(database_url: str, tmp_path: Path, congress_url: str, name: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHEDULE", "FLASK_RUN"))}
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        INSTANCE_PATH=str(tmp_path / name),
        SECRET_KEY="test-secret",
        BASE_URL="http://localhost",
        CONGRESS_API_URL=congress_url,
        CONGRESS_API_KEY=FAKE_API_KEY,
        SCHEDULE_BILLS_SYNC="every 2 s",
        SCHEDULE_ALERTS="every 2 s",
        # Long enough that a busy machine never lets the lease lapse while its holder runs.
        SCHEDULER_LEASE_SECONDS="30",
        PYTHONUNBUFFERED="1",
    )
    env.pop("MAIL_SERVER", None)
    env.pop("REDIS_URL", None)
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed by _stop)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log  # type: ignore[attr-defined]
    return process


def _wait_for(condition, what: str, logs: Path, timeout: float = 90.0):
    """Poll `condition` until it returns something truthy (a bound for a hung process, not a timing claim)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n" + "\n".join(log.read_text().splitlines()[-15:]) for log in logs.glob("*.log"))
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


def _runs(app) -> list[ScheduledRun]:
    with app.app_context():
        rows = db.session.scalars(select(ScheduledRun).order_by(ScheduledRun.id)).all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def _ok_runs_of_each(app, names: tuple[str, ...]) -> int:
    """The fewest successful runs among the jobs `names`. Other jobs may run meanwhile (the recovery fires every
    5 minutes, the retries every 15: a test that crosses such a minute sees their runs too)."""
    runs = _runs(app)
    return min(sum(1 for r in runs if r.job_name == name and r.status == "ok") for name in names)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    process.log.close()  # type: ignore[attr-defined]


@pytest.mark.browser
def test_two_worker_processes_fire_each_scheduled_run_once(
    app, database_url, tmp_path, congress_server, demo, live_server, new_page, make_user
):
    """Two `flask worker` processes on one database: one holds the lease and runs every sync and alert run; each
    firing syncs each bill once (one update check per run at Congress.gov); when the holder stops, the other
    takes over; the dashboard shows the last runs."""
    bill_path = "/v3/bill/119/hr/5323"
    with app.app_context():  # follow only the bills whose recorded Congress.gov responses the fake server has
        from advocacy.models import Bill

        for bill in db.session.scalars(select(Bill)):
            bill.tracked = (bill.congress, bill.bill_type, bill.number) in congress_server.bills
        db.session.commit()
    first = _worker(database_url, tmp_path, congress_server.url, "first")
    second = _worker(database_url, tmp_path, congress_server.url, "second")
    processes = {first, second}
    try:
        _wait_for(lambda: _ok_runs_of_each(app, ("bills_sync", "alerts")) >= 3, "three runs of each job", tmp_path)
        runs = _runs(app)
        leaders = {r.holder for r in runs}
        assert len(leaders) == 1, f"two processes fired jobs: {leaders}"
        leader_pid = int(next(iter(leaders)).split(":")[1])
        leader = first if first.pid == leader_pid else second
        standby = second if leader is first else first
        _stop(leader)
        before = len(_runs(app))
        _wait_for(
            lambda: len({r.holder for r in _runs(app)}) == 2 and len(_runs(app)) >= before + 4,
            "the other process to take over",
            tmp_path,
        )
        _stop(standby)
    finally:
        for process in processes:
            _stop(process)
    runs = _runs(app)
    assert all(r.status == "ok" for r in runs), [(r.job_name, r.error) for r in runs if r.status != "ok"]
    assert all(r.holder.split(":")[1] == str(standby.pid) for r in runs[before:])
    for job in ("bills_sync", "alerts"):
        starts = [r.started_at for r in runs if r.job_name == job]
        gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
        assert gaps and min(gaps) >= timedelta(seconds=1), (job, gaps)  # never two runs of one firing
    syncs = sum(1 for r in runs if r.job_name == "bills_sync")
    checks = sum(1 for path, _query, _headers in congress_server.requests if path == bill_path)
    assert checks == syncs, f"{checks} requests for H.R. 5323 in {syncs} sync runs"

    email = make_user("viewer")
    page = new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server, email)
    row = page.locator("tr.schedule-bills_sync")
    assert "bill(s) synced, 0 failed" in row.inner_text() and "ok" in row.inner_text()
    assert "No process is running the schedule" in page.locator("#schedule").inner_text()
    page.set_viewport_size({"width": 390, "height": 900})
    label = page.evaluate(
        "getComputedStyle(document.querySelector('tr.schedule-bills_sync td:nth-child(3)'), '::before').content"
    )
    assert label == '"Last run: "'  # the column names stay on a phone, where the header row is hidden


def test_health_page_shows_the_schedule(app, demo, client, login_as):
    """Admin → Alerts health shows who schedules and each job's last run (here: one alerts run by the CLI)."""
    with app.app_context():
        run_task(app, "alerts", "cli:test")
        hold_lease("vm:4242:abc", 60)
    login_as("admin")
    page = client.get("/admin/alerts").get_data(as_text=True)
    schedule = page.split('id="schedule"', 1)[1].split("</section>", 1)[0]
    assert "Running in <code>vm:4242:abc</code>" in schedule
    row = schedule.split('class="schedule-alerts"', 1)[1].split("</tr>", 1)[0]
    assert "badge-ok" in row and "every 5 minutes" in row and "0 alert e-mail(s)" in row


def test_recovery_job_runs_the_jobs_recovery(app, runner):
    """`flask worker --run recovery` runs the jobs' crash recovery (nothing to recover here) and records it."""
    result = runner.invoke(args=["worker", "--run", "recovery"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("recovery: ok: letters: 0 requeued")


def test_a_failing_job_is_rolled_back_but_its_claim_and_record_are_kept(app_ctx, monkeypatch):
    """The claim, the job and its record are a unit of work each: what a failing job wrote is rolled back, while
    its run stays recorded as failed; run_task refuses to run inside a unit (it could not commit its claim)."""
    from advocacy import scheduler
    from advocacy.events import record_event
    from advocacy.models import Event
    from advocacy.uow import unit_of_work

    def half_done(app) -> str:
        record_event("test.half", "written before the failure")
        db.session.flush()
        raise RuntimeError("failed midway")

    task = scheduler.TASKS_BY_NAME["expiry"]
    monkeypatch.setitem(
        scheduler.TASKS_BY_NAME, "expiry", scheduler.ScheduledTask(task.name, task.label, task.setting, half_done)
    )
    run = run_task(app_ctx, "expiry", "test")
    assert run is not None and run.status == "failed" and "failed midway" in run.error
    assert db.session.scalar(select(Event.id).where(Event.kind == "test.half")) is None
    assert db.session.get(ScheduledJob, "expiry").runs == 1
    db.session.remove()
    with pytest.raises(RuntimeError, match="outside one"), unit_of_work():
        run_task(app_ctx, "expiry", "test")
