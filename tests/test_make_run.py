"""`make run` as a new user runs it (issue 15): it serves on the PORT given, links point to that port, the
schedule runs inside it, and stopping it (Ctrl+C, or a plain kill of make) leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import requests

from tests.conftest import _CSRF, free_port
from tests.test_attacks_recovery import _login, _wait

ROOT = Path(__file__).resolve().parent.parent


def _session_processes(sid: int) -> list[int]:
    """Pids of the live processes in session `sid` (make started with a new session: sid = make's pid)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # fields after the name: state, ppid, pgrp, session
            pids.append(int(entry.name))
    return pids


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _start_make_run(tmp_path: Path, port: int) -> tuple[subprocess.Popen, Path]:
    env = {k: v for k, v in os.environ.items() if k not in {"BASE_URL", "DATABASE_URL", "APP_ENV", "SECRET_KEY"}}
    env.update(INSTANCE_PATH=str(tmp_path / "instance"), JOBS_WORKERS="1", PYTHONUNBUFFERED="1")
    log_path = tmp_path / "make-run.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed when the test ends)
    # -o: take the shared virtual environment as installed (the suite runs inside it).
    process = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log  # type: ignore[attr-defined]
    return process, log_path


@pytest.mark.browser
@pytest.mark.parametrize("stop", ["ctrl-c", "kill make", "kill -9 make"])
def test_make_run_serves_on_its_port_and_leaves_nothing_behind(tmp_path, stop, new_page):
    """`make run PORT=N`: the app answers on N, a signing link of an invitation made in the app points to N, the
    schedule runs in it, a letter preview starts the worker pool; Ctrl+C (SIGINT to the terminal's process group),
    a plain `kill` of make or even `kill -9` of make stops every process it started."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, log_path = _start_make_run(tmp_path, port)
    try:
        _wait(lambda: _answers(f"{base}/login"), f"make run to serve on port {port}", 120)
        output = log_path.read_text()
        assert f"starting on {base}" in output and "make run PORT=5100" in output
        email = re.search(r"e-mail:\s+(\S+)", output).group(1)
        password = re.search(r"password:\s+(\S+)", output).group(1)
        session = _login(base, email, password)
        dashboard = session.get(f"{base}/dashboard", timeout=10).text
        # The schedule runs inside the server: the dashboard names this process as the one scheduling.
        assert "No process is running the schedule" not in dashboard and "Running in" in dashboard

        # An invitation sent from the campaign page: its signing link points to this port.
        page = session.get(f"{base}/endorsements/campaign/city-state-diplomacy/invitations", timeout=10)
        token = _CSRF.search(page.text).group(1)
        invited = session.post(
            f"{base}/endorsements/campaign/city-state-diplomacy/invite",
            data={"city": "Austin, TX", "email": "mayor@austintexas.gov", "name": "Ada", "csrf_token": token},
            timeout=30,
        )
        assert invited.status_code == 200, invited.text[:500]
        outbox = session.get(f"{base}/admin/outbox", timeout=10).text
        link = re.search(r"http://[^\s<\"]+/sign/[A-Za-z0-9_-]+", outbox).group(0)
        assert link.startswith(f"{base}/sign/"), link
        signer = new_page(viewport={"width": 390, "height": 900})  # the mayor's office opens the e-mail's link
        signer.goto(link)
        assert signer.get_by_role("button", name="Sign on behalf of Austin, TX").is_visible()
        hint = signer.locator("#signer_email").locator("xpath=..").inner_text()
        assert "lacity.org" not in hint  # the city's own domain or no example, never another city's

        preview = session.get(f"{base}/letters/templates/1/preview", timeout=60)
        assert preview.status_code == 200, preview.text[:300]
        started = _session_processes(process.pid)
        assert len(started) >= 4, started  # make, the server, the pool's fork server and its worker
    finally:
        if stop == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        elif stop == "kill make":
            os.kill(process.pid, signal.SIGTERM)  # make only: its children must not outlive it
        else:
            os.kill(process.pid, signal.SIGKILL)  # make cannot pass anything on: the server notices its parent died
        try:
            _wait(lambda: not _session_processes(process.pid), "every process of make run to exit", 60)
        finally:
            for pid in _session_processes(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.wait(10)
            process.log.close()  # type: ignore[attr-defined]
