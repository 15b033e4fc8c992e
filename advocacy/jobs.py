"""Background jobs: RQ when REDIS_URL is set, otherwise a pool of long-lived worker processes in this process.

The interface is small: `submit(func, *args) -> job id` and `status(job id)`, on the runner returned by
`get_runner()`. A job is a module-level function registered with the `@job` decorator and handed to the runner as
the function itself (`get_runner().submit(run_chunk, batch_id, ids)`), so that readers and tools can follow the
call; a function that is not registered is refused (`UnregisteredJob`). In the worker it runs inside an
application context and one `unit_of_work()` (advocacy.uow): it commits once when it returns, rolls back when it
raises, and calls `checkpoint()` for progress that others must see before it ends. Arguments are plain
(picklable) values.

The workers build their app with the factory that `init_app(app, factory=create_app, ...)` handed over when the
app was made: this module never imports the root package, so the package's import graph has no cycle through it.

The in-process pool (`ProcessPoolExecutor`, one worker per core, created on first use and kept) also runs short
interactive work with `call(func, *args, timeout=...)`: template checks and previews run in a small pool of
their own, so that a hostile template is limited in time and memory without ever blocking a web worker. The time
limit is kept twice: a timer in the worker stops the work after `timeout`, and if the worker does not answer
`HARD_LIMIT_GRACE` seconds later (work that never returns to Python, or that catches the timer's exception) its
processes are killed and the pool replaced.

Every job worker (the pools and RQ work horses) caps its own address space (RLIMIT_AS) at `LETTER_MEMORY_MB`
(1 GiB by default): an allocation that gets past the sandbox's own caps fails that letter with MemoryError.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from flask import Flask

from advocacy.extensions import db, real_app
from advocacy.uow import unit_of_work

logger = logging.getLogger(__name__)

QUEUED, RUNNING, FINISHED, FAILED, UNKNOWN = "queued", "running", "finished", "failed", "unknown"
# Seconds a worker may overrun the time limit of `call` before its pool is killed.
HARD_LIMIT_GRACE = 2.0
# Worker processes of the pool that runs interactive calls (checks, previews), at most.
INTERACTIVE_WORKERS = 2
# Seconds a call may wait for a worker to take it (a pool starting up, or busy with other calls).
CALL_QUEUE_WAIT = 60.0
# Config keys a worker process needs to rebuild the same app (the database, the instance folder, limits).
_PASSED_KEYS = (
    "SQLALCHEMY_DATABASE_URI",
    "INSTANCE_PATH",
    "SECRET_KEY",
    "REDIS_URL",
    "CONGRESS_API_URL",
    "CONGRESS_API_KEY",
    "CONGRESS_TIMEOUT",
    "BASE_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "JOBS_LEASE_SECONDS",
)


class JobTimeout(Exception):
    """Work ran longer than its time limit."""


class UnregisteredJob(TypeError):
    """A function handed to a runner that was not registered with `@job`."""


F = TypeVar("F", bound=Callable[..., Any])
AppFactory = Callable[..., Flask]

_JOBS: dict[str, Callable[..., Any]] = {}


def job_name(func: Callable[..., Any]) -> str:
    """The name logs, RQ's job description and error messages give a job: "package.module.function"."""
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def job(func: F) -> F:
    """Register a module-level function as a background job (returned unchanged: callable directly too).

    Only module-level functions: a worker process receives the function by reference (module and name) and
    imports it, which a nested function or a lambda cannot survive.
    """
    if func.__qualname__ != func.__name__ or func.__name__ == "<lambda>":
        raise TypeError(f"@job registers module-level functions only, not {func.__qualname__}")
    _JOBS[job_name(func)] = func
    return func


def registered(func: Callable[..., Any]) -> str:
    """The job's name; raises UnregisteredJob unless `func` is a function registered with `@job`."""
    name = job_name(func)
    if _JOBS.get(name) is not func:
        raise UnregisteredJob(f"{name} is not a registered job: decorate it with @advocacy.jobs.job")
    return name


def registered_jobs() -> dict[str, Callable[..., Any]]:
    """Every job registered so far (by name), for tools and tests."""
    return dict(_JOBS)


@dataclass(frozen=True)
class JobSetup:
    """What the app factory hands to this module (`init_app`): how workers rebuild the app, what recovery runs."""

    factory: AppFactory
    recover: Callable[[], Any] | None = None


_SETUP_KEY = "advocacy.jobs"


def init_app(app: Flask, *, factory: AppFactory, recover: Callable[[], Any] | None = None) -> None:
    """Called by `create_app`: remember the factory the workers use and the crash recovery to run (see below).

    `recover()` runs in an app context and returns what it did (an object with a truthy `anything` when it did
    something); the root package passes the letters' batch recovery.
    """
    app.extensions[_SETUP_KEY] = JobSetup(factory=factory, recover=recover)
    install_recovery(app)


def _setup(app: Flask) -> JobSetup:
    setup = app.extensions.get(_SETUP_KEY)
    if setup is None:
        raise RuntimeError("advocacy.jobs.init_app(app, factory=...) was not called for this app")
    return setup


class JobRunner(Protocol):
    def submit(self, func: Callable[..., Any], *args: Any) -> str: ...

    def status(self, job_id: str) -> str: ...


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise JobTimeout in this thread after `seconds` (main thread only: signals; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum: int, frame: Any) -> None:
        raise JobTimeout(f"stopped after {seconds:g} s (time limit)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's address space (RLIMIT_AS); allocation beyond it raises MemoryError."""
    if not megabytes:
        return
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# --- in the worker process -------------------------------------------------------------------------------------

_worker_app: Flask | None = None


def _init_worker(factory: AppFactory, env_name: str, overrides: dict[str, Any], memory_mb: int | None) -> None:
    global _worker_app
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which shuts the pool down
    _worker_app = factory(env_name, overrides)
    limit_memory(memory_mb)


def _run(func: Callable[..., Any], args: tuple, timeout: float | None = None, started: str | None = None) -> Any:
    """Run one job in this worker: app context, time limit, one unit of work; the session is removed after."""
    registered(func)  # the worker imported the function's module (unpickling it), which registered it
    app = _worker_app
    assert app is not None, "worker not initialised"
    if started:  # tell `PoolRunner.call` that the work begins now: its hard limit counts from here
        Path(started).touch()
    with app.app_context():
        try:
            with time_limit(timeout), unit_of_work():
                return func(*args)
        finally:
            db.session.remove()


def run_in_app(factory: AppFactory, func: Callable[..., Any], *args: Any) -> Any:
    """Entry point of RQ jobs: build the app once per worker process (with `factory`), then run the job.

    A new worker process first recovers work that a dead worker left behind (when JOBS_RECOVER_ON_START).
    """
    global _worker_app
    if _worker_app is None:
        _worker_app = factory()
        limit_memory(_worker_app.config.get("LETTER_MEMORY_MB"))
        if _worker_app.config.get("JOBS_RECOVER_ON_START"):
            _recover_logged(_worker_app)
    return _run(func, args)


# --- runners ---------------------------------------------------------------------------------------------------


class PoolRunner:
    """Long-lived worker processes (one per core by default), created on first use."""

    def __init__(
        self, factory: AppFactory, env_name: str, overrides: dict[str, Any], workers: int, memory_mb: int | None
    ):
        self.factory = factory
        self.env_name = env_name
        self.overrides = overrides
        self.workers = workers
        self.memory_mb = memory_mb
        self._executor: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._interactive: PoolRunner | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                context = multiprocessing.get_context("forkserver")
                # The fork server imports the modules of the jobs registered so far once (the letters' WeasyPrint
                # above all), so that each new worker starts warm.
                context.set_forkserver_preload(sorted({f.__module__ for f in _JOBS.values()} - {"__main__"}))
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=context,
                    initializer=_init_worker,
                    initargs=(self.factory, self.env_name, self.overrides, self.memory_mb),
                )
                logger.info("started a pool of %d worker processes", self.workers)
            return self._executor

    def submit(self, func: Callable[..., Any], *args: Any) -> str:
        """Queue the job `func(*args)` on the pool; return a job id for `status`."""
        registered(func)
        job_id = f"pool-{uuid.uuid4().hex}"
        self._futures[job_id] = self.executor.submit(_run, func, args)
        return job_id

    def status(self, job_id: str) -> str:
        """queued, running, finished, failed, or unknown (a job of another process, or forgotten)."""
        future = self._futures.get(job_id)
        if future is None:
            return UNKNOWN
        if future.running():
            return RUNNING
        if not future.done():
            return QUEUED
        return FAILED if future.exception() is not None else FINISHED

    @property
    def interactive(self) -> PoolRunner:
        """The small pool that runs `call`s, apart from the batch jobs (killing it never touches a batch)."""
        with self._lock:
            if self._interactive is None:
                workers = min(self.workers, INTERACTIVE_WORKERS)
                self._interactive = PoolRunner(self.factory, self.env_name, self.overrides, workers, self.memory_mb)
            return self._interactive

    def call(self, func: Callable[..., Any], *args: Any, timeout: float) -> Any:
        """Run the job `func(*args)` in a worker of the interactive pool and return its result.

        Raises JobTimeout after `timeout` seconds of work, at the latest `HARD_LIMIT_GRACE` seconds later: a worker
        that has not answered by then is killed (with the other workers of that pool; a call that was running there
        is tried once more on the fresh pool). The limit counts from when a worker takes the call (the worker says
        so through a marker file), so starting the pool or waiting for a free worker (up to CALL_QUEUE_WAIT) does
        not count.
        """
        name = registered(func)
        pool = self.interactive
        for attempt in range(2):
            marker = Path(tempfile.gettempdir()) / f"advocacy-call-{uuid.uuid4().hex}"
            future = pool.executor.submit(_run, func, args, timeout, str(marker))
            try:
                if not _wait_until_taken(future, marker, CALL_QUEUE_WAIT):
                    future.cancel()
                    raise JobTimeout(f"no worker was free for {CALL_QUEUE_WAIT:g} s; try again")
                return future.result(timeout=timeout + HARD_LIMIT_GRACE)
            except FutureTimeout:
                logger.warning("%s overran its %g s limit: killing its worker processes", name, timeout)
                pool.kill()
                raise JobTimeout(f"stopped after {timeout:g} s (time limit)") from None
            except BrokenProcessPool:
                pool.kill()  # a worker died (killed for another call, or out of memory)
                if attempt:
                    raise
            finally:
                marker.unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def kill(self) -> None:
        """Kill this pool's worker processes at once (their work is lost); the next use starts a new pool."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(ProcessLookupError, OSError):
                process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(5)

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
            interactive, self._interactive = self._interactive, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        if interactive is not None:
            interactive.shutdown()


def _wait_until_taken(future: Future, marker: Path, limit: float) -> bool:
    """Wait until a worker has begun the call (its marker exists) or it is done; False after `limit` seconds."""
    deadline = time.monotonic() + limit
    pause = 0.002
    while not (marker.exists() or future.done()):
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return True


class RQRunner:
    """Jobs in Redis, run by `rq worker` processes (`rq worker --url $REDIS_URL advocacy`, the JOBS_QUEUE)."""

    def __init__(self, factory: AppFactory, redis_url: str, queue_name: str, job_timeout: int):
        from redis import Redis
        from rq import Queue

        self.factory = factory
        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)
        self.job_timeout = job_timeout

    def submit(self, func: Callable[..., Any], *args: Any) -> str:
        """Queue the job `func(*args)` in Redis: the worker runs it through `run_in_app` with the app's factory."""
        name = registered(func)
        queued = self.queue.enqueue(
            run_in_app, self.factory, func, *args, job_timeout=self.job_timeout, description=f"{name}{args!r}"[:200]
        )
        return queued.id

    def status(self, job_id: str) -> str:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        if job_id.startswith("pool-"):  # started in the local pool while Redis was down
            return local_pool().status(job_id)
        try:
            state = Job.fetch(job_id, connection=self.connection).get_status()
        except NoSuchJobError:
            return UNKNOWN
        value = getattr(state, "value", str(state))
        return {
            "queued": QUEUED,
            "deferred": QUEUED,
            "scheduled": QUEUED,
            "started": RUNNING,
            "finished": FINISHED,
        }.get(value, FAILED if value in ("failed", "stopped", "canceled") else UNKNOWN)


_pools: dict[tuple, PoolRunner] = {}
_pools_lock = threading.Lock()


def local_pool(app: Flask | None = None) -> PoolRunner:
    """The in-process pool for this app's configuration (created once, reused)."""
    app = app or real_app()
    overrides = {key: app.config.get(key) for key in _PASSED_KEYS if app.config.get(key) is not None}
    overrides.update({k: app.config[k] for k in ("LETTER_MEMORY_MB", "JOBS_WORKERS") if k in app.config})
    workers = int(app.config.get("JOBS_WORKERS") or os.cpu_count() or 1)
    memory_mb = app.config.get("LETTER_MEMORY_MB")
    factory = _setup(app).factory
    key = (factory, app.config.get("ENV_NAME"), tuple(sorted((k, repr(v)) for k, v in overrides.items())), workers)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            env_name = app.config.get("ENV_NAME", "production")
            pool = _pools[key] = PoolRunner(factory, env_name, overrides, workers, memory_mb)
        return pool


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """Whether the Redis server at `url` answers a PING within `timeout` seconds."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (RedisError, OSError, ValueError):
        return False


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


def get_runner(app: Flask | None = None, *, local: bool = False) -> JobRunner:
    """RQ when REDIS_URL is set (unless `local`), else the in-process pool.

    When Redis does not answer, the job runs in the in-process pool instead (with a logged warning): a sync,
    a letter batch or an alerts run still happens, only not on the RQ workers.
    """
    app = app or real_app()
    url = app.config.get("REDIS_URL")
    if url and not local:
        if redis_answers(url, float(app.config.get("REDIS_PING_TIMEOUT", 0.5))):
            return RQRunner(_setup(app).factory, url, app.config.get("JOBS_QUEUE", "advocacy"), job_timeout=3600)
        logger.warning("Redis at %s does not answer: running jobs in this process's worker pool", _redacted(url))
    return local_pool(app)


def shutdown_pools() -> None:
    """Stop every in-process pool (tests, and interpreter exit through concurrent.futures' own hook)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown()


# --- recovery after a crash -----------------------------------------------------------------------------------


def recover_expired_work(app: Flask | None = None) -> Any:
    """Put back in hand work whose lease has expired (the recovery given to `init_app`: the letter batches', see
    advocacy.letters.recovery), in an app context and a unit of work of its own.

    For start-up (below) and for the scheduler: safe to call often and from several processes at once; returns
    what it did (a `Recovery`), or None when the app has no recovery.
    """
    app = app or real_app()
    recover = _setup(app).recover
    if recover is None:
        return None
    with app.app_context(), unit_of_work():
        return recover()


def _recover_logged(app: Flask) -> None:
    try:
        result = recover_expired_work(app)
    except Exception:  # noqa: BLE001 - start-up must go on (e.g. before `flask db upgrade` has made the tables)
        logger.exception("recovering interrupted work failed")
        return
    if result is not None and result.anything:
        logger.warning("recovered interrupted work: %s", result)


def install_recovery(app: Flask) -> None:
    """Recover interrupted work when this web process answers its first request (if JOBS_RECOVER_ON_START)."""
    if not app.config.get("JOBS_RECOVER_ON_START"):
        return
    state = {"done": False}
    lock = threading.Lock()

    @app.before_request
    def recover_once() -> None:
        if state["done"]:
            return
        with lock:
            if state["done"]:
                return
            state["done"] = True
        _recover_logged(app)


@job
def worker_peak_memory() -> tuple[int, int]:
    """(pid, peak resident memory in KiB) of the process running it: benchmarks ask each worker."""
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
