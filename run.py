#!/usr/bin/env python3
"""Set up and run the portal, or its tests, with nothing but Python 3.11+.

    python3 run.py serve   # virtualenv, install, migrate, demo data, serve on :8000
    python3 run.py test    # virtualenv, install, whole test suite (extra args go to pytest)
    python3 run.py bench   # virtualenv, install, benchmark on PostgreSQL (DATABASE_URL; --small, --large)

Both create ``.venv`` and install the pinned requirements on first use, and
again whenever a requirements file changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv(requirements):
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py is the first thing a user runs
        sys.exit("The portal needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print(f"Creating the virtualenv in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256()
    for name in ("requirements.txt", requirements):
        digest.update((ROOT / name).read_bytes())
    stamp = VENV / f".installed-{Path(requirements).stem}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    # pip's own progress shows: a first install takes about 30 s and must not look stuck.
    print(f"Installing the pinned packages of {requirements} into {VENV} (about 30 s the first time) ...", flush=True)
    run([PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-r", ROOT / requirements])
    print(f"Installed {requirements}.", flush=True)
    stamp.write_text(digest.hexdigest())


def run(cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def manage(*args):
    run([PYTHON, "manage.py", *args])


def serve(args):
    ensure_venv("requirements.txt")
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--no-input", "-v", "0")
    manage("demo_data")
    address = args[0] if args else "127.0.0.1:8000"
    print(f"\nThe portal runs on http://{address}/  (Ctrl+C stops it)\n", flush=True)
    os.execv(str(PYTHON), [str(PYTHON), "manage.py", "runserver", address])


def test(args):
    ensure_venv("requirements-dev.txt")
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *args])


def bench(args):
    ensure_venv("requirements.txt")
    os.execv(str(PYTHON), [str(PYTHON), "manage.py", "bench", *args])


def main():
    commands = {"serve": serve, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    os.chdir(ROOT)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
