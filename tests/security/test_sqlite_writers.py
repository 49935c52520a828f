"""Issue 10.2 (embedded SQLite): two parallel writers both succeed, the second waits its turn."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction


@pytest.fixture
def sqlite_file_db(tmp_path, django_db_blocker):
    """A file SQLite database opened with the project's SQLite options, one connection per thread."""
    alias = "parallel_writers"
    configured = connections.configure_settings(
        {
            "default": dict(settings.DATABASES["default"]),
            alias: {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(tmp_path / "db.sqlite3"),
                "OPTIONS": settings.SQLITE_OPTIONS,
            },
        }
    )
    connections.settings[alias] = configured[alias]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE claim (id INTEGER PRIMARY KEY, serial TEXT)")
        connections[alias].close()
        yield alias
    del connections.settings[alias]


def test_embedded_default_uses_the_waiting_sqlite_options():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        options = settings.DATABASES["default"]["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "busy_timeout" in options["init_command"]


def test_two_threads_writing_at_once_both_succeed(sqlite_file_db):
    start = threading.Barrier(2)
    errors = []

    def write(serial):
        try:
            start.wait()
            with transaction.atomic(using=sqlite_file_db):
                with connections[sqlite_file_db].cursor() as cursor:
                    # The duplicate check a claim does before it writes: both read, then both write.
                    cursor.execute("SELECT count(*) FROM claim WHERE serial = %s", [serial])
                    time.sleep(0.3)
                    cursor.execute("INSERT INTO claim (serial) VALUES (%s)", [serial])
        except Exception as error:  # noqa: BLE001 - the test reports whatever the writer hit
            errors.append(error)
        finally:
            connections[sqlite_file_db].close()

    threads = [threading.Thread(target=write, args=(f"SN{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with connections[sqlite_file_db].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claim")
        assert cursor.fetchone()[0] == 2
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    connections[sqlite_file_db].close()
