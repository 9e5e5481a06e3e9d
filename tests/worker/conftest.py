"""A real Celery worker on Redis for the task tests (not eager).

The worker is a separate process (`celery -A fuling_invest worker`) on the test database, so
it sees what the tests commit: these tests use `transactional_db`, and need PostgreSQL (the
SQLite test database lives in the test process's memory). The tests send to a queue of their
own, so nothing left in Redis by another run reaches this worker. `make test-worker` runs them.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from fuling_invest.celery import app as celery_app

READY_TIMEOUT = 60


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        pytest.fail("The worker tests need CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/15): see `make test-worker`.")
    if connection.vendor != "postgresql":
        pytest.fail("The worker tests need PostgreSQL (DATABASE_URL=postgres://…): the worker must reach the test database.")
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker, "DJANGO_SETTINGS_MODULE": "fuling_invest.settings"}
    command = [
        sys.executable, "-m", "celery", "-A", "fuling_invest", "worker",
        "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-Q", queue, "-n", f"{queue}@%h", "--loglevel=INFO",
    ]  # fmt: skip
    with open(log, "wb") as output:
        worker = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
    previous = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    celery_app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
    try:
        _wait_until_ready(worker, log)
        yield worker
    finally:
        celery_app.conf.update(previous)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _wait_until_ready(worker: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited ({worker.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        if " ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    pytest.fail(f"The Celery worker was not ready in {READY_TIMEOUT} s:\n{log.read_text(errors='replace')[-3000:]}")


def wait_for(condition, *, timeout: float = 60, what: str = "the worker"):
    """Poll `condition()` until it returns something truthy (the worker runs in another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.")
