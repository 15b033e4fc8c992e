"""Real processes for the crash tests.

`python -m tests.recovery_server PORT_FILE` serves the app (APP_ENV=testing, database and instance folder from
RECOVERY_DATABASE_URL and RECOVERY_INSTANCE_PATH) with the in-process job pool, so that killing its process group
kills the web server and its job workers together, as `kill -9` of a deployment would. With RECOVERY_REDIS_URL and
RECOVERY_QUEUE, its jobs go to that RQ queue instead.

`python -m tests.recovery_server --rq` is `rq worker` for that queue: the worker's work horses build the app from
the environment (APP_ENV=development, DATABASE_URL, REDIS_URL, ...), as a deployed `rq worker` does.

With RECOVERY_GATE set to a folder, only the first two letters rendered are made: every later letter waits for ever
(its worker deaf to the time limit), so a batch is certainly mid-way when the test kills the server. The gate is
installed at import, which the job workers also do (multiprocessing imports the main module in each).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path


def _install_gate(folder: Path, allowed: int = 2) -> None:
    from advocacy.letters import tasks

    real = tasks.render_letter

    def gated(*args, **kwargs):
        for slot in range(allowed):
            try:
                os.close(os.open(folder / f"slot-{slot}", os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                continue
            return real(*args, **kwargs)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # no time limit: only a kill ends this
        while True:
            time.sleep(1)

    tasks.render_letter = gated


if os.environ.get("RECOVERY_GATE"):
    _install_gate(Path(os.environ["RECOVERY_GATE"]))


def rq_worker() -> None:
    from redis import Redis
    from rq import Queue, Worker

    connection = Redis.from_url(os.environ["REDIS_URL"])
    Worker([Queue(os.environ["JOBS_QUEUE"], connection=connection)], connection=connection).work(
        logging_level="WARNING"
    )


def main() -> None:
    from werkzeug.serving import make_server

    from advocacy import create_app

    overrides = {
        "SQLALCHEMY_DATABASE_URI": os.environ["RECOVERY_DATABASE_URL"],
        "INSTANCE_PATH": os.environ["RECOVERY_INSTANCE_PATH"],
        "JOBS_RECOVER_ON_START": True,
        "JOBS_WORKERS": 2,
        "LETTER_TIMEOUT": 2.0,
        "JOBS_LEASE_SECONDS": 1.0,
    }
    if os.environ.get("RECOVERY_REDIS_URL"):
        overrides.update(REDIS_URL=os.environ["RECOVERY_REDIS_URL"], JOBS_QUEUE=os.environ["RECOVERY_QUEUE"])
    app = create_app("testing", overrides)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    Path(sys.argv[1]).write_text(str(server.server_port))
    server.serve_forever()


if __name__ == "__main__":
    rq_worker() if sys.argv[1:] == ["--rq"] else main()
