"""A real Celery worker on Redis sends the portal's e-mail.

Runs when DATABASE_URL points at PostgreSQL and REDIS_URL at a Redis server
(the worker is a separate process and must see the test database).
"""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from conftest import is_postgres, need
from core.mail import queue_email
from core.models import OutgoingEmail

ROOT = Path(__file__).resolve().parents[2]


def redis_available():
    if not settings.REDIS_URL:
        return False
    try:
        import redis

        return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:
        return False


@contextlib.contextmanager
def celery_worker(**env):
    """A real worker process on a queue of its own, on the test database; the portal's tasks go to it.

    ``env`` adds to the worker's environment (mail settings). Its log is printed at the end.
    """
    need("redis", redis_available(), "REDIS_URL is not set or Redis does not answer")
    need("postgres", is_postgres(), "the worker needs the test database on PostgreSQL")
    from rma_portal.celery import app

    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker_env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": queue,
    }
    worker_env.pop("EMAIL_URL", None)
    worker_env.update(env)
    command = "celery -A rma_portal worker -l info --pool=solo --without-mingle --without-gossip".split()
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "-Q", queue],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    old = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        process.terminate()
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-3000:])


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker writing e-mail as files; yields their folder."""
    mail_dir = tmp_path / "mail"
    with celery_worker(EMAIL_FILE_PATH=str(mail_dir)):
        yield mail_dir


@pytest.mark.worker
def test_worker_sends_queued_email_through_redis(worker):
    with transaction.atomic():
        email = queue_email(to="partner@example.com", subject="RMA test", text="Through Redis", html="<p>x</p>")

    deadline = time.monotonic() + 60
    files = []
    while time.monotonic() < deadline:
        files = list(worker.glob("*.log")) if worker.exists() else []
        email.refresh_from_db()
        # The worker writes the file, then records the delivery: wait for both.
        if files and email.sent_at is not None:
            break
        time.sleep(0.2)
    assert files, "the worker wrote no e-mail"
    content = files[0].read_text()
    assert "Subject: RMA test" in content and "To: partner@example.com" in content
    assert email.sent_at is not None and email.attempts == 1
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 0


class FlakySMTPServer:
    """A tiny SMTP server on loopback that refuses the first two connections, then accepts."""

    def __init__(self, refusals=2):
        import socketserver
        import threading

        self.refusals = refusals
        self.connections = 0
        self.messages = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                server.connections += 1
                if server.connections <= server.refusals:
                    self.wfile.write(b"421 try again later\r\n")
                    return
                self.wfile.write(b"220 test SMTP ready\r\n")
                data_mode, lines = False, []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    if data_mode:
                        if raw in (b".\r\n", b".\n"):
                            server.messages.append(b"".join(lines).decode("utf-8", "replace"))
                            data_mode, lines = False, []
                            self.wfile.write(b"250 queued\r\n")
                        else:
                            lines.append(raw)
                        continue
                    command = raw.strip().upper()
                    if command.startswith(b"EHLO") or command.startswith(b"HELO"):
                        self.wfile.write(b"250 test\r\n")
                    elif command == b"DATA":
                        data_mode = True
                        self.wfile.write(b"354 go ahead\r\n")
                    elif command == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky_smtp():
    server = FlakySMTPServer()
    yield server
    server.close()


@pytest.fixture
def smtp_worker(transactional_db, flaky_smtp):
    """A worker sending through the flaky SMTP server; yields the server."""
    with celery_worker(EMAIL_URL=f"smtp://127.0.0.1:{flaky_smtp.port}", EMAIL_RETRY_BACKOFF="1"):
        yield flaky_smtp


@pytest.mark.worker
def test_smtp_refusing_twice_then_accepting_delivers_exactly_one_email(smtp_worker):
    with transaction.atomic():
        email = queue_email(to="partner@example.com", subject="RMA/9/SR/2026: Received", text="Parcel received")

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not smtp_worker.messages:
        time.sleep(0.3)
    time.sleep(3)  # a duplicate would arrive now
    assert smtp_worker.connections == 3
    assert len(smtp_worker.messages) == 1
    assert "RMA/9/SR/2026" in smtp_worker.messages[0]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 3
