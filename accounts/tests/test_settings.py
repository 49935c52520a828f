"""The settings module: production values pass the deploy check, bad values stop the start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": "x" * 30 + "-production-secret-key-with-enough-entropy-1234567890",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "service.example.com",
    "DATABASE_URL": "postgres://rma:secret@db:5432/rma",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp://mail.example.com:587",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and not k.startswith("RMA_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_deploy_check_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_malformed_value_stops_the_start_naming_the_variable():
    for name, value in [("DEBUG", "maybe"), ("DATABASE_URL", "mysql//nonsense"), ("REDIS_URL", "localhost:6379")]:
        result = manage("check", env={**PRODUCTION, name: value})
        assert result.returncode != 0
        assert name in result.stderr, (name, result.stderr[-500:])


def test_production_without_secret_key_refuses_to_start():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
