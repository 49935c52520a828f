"""Profile partner pages in-process with pyinstrument, against the benchmark's data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rma_bench .venv/bin/python scripts/profile_pages.py / /claims/ [-n 200]

Run ``run.py bench`` once first (it builds the data). Prints, for each URL, the mean time per request
the CPU time of this process alone (steady on a busy machine) and pyinstrument's call tree of the slowest frames.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECRET_KEY", "profile-only-" + "x" * 40)
os.environ.setdefault("RMA_BENCHMARK_VIEWS", "1")
os.environ.setdefault("STATIC_ROOT", "/tmp/rma-profile-static")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

if not Path(os.environ["STATIC_ROOT"], "staticfiles.json").exists():
    call_command("collectstatic", interactive=False, verbosity=0)

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--user", default="partner")
    parser.add_argument("--htmx", default="", help="an HX-Target to send")
    parser.add_argument("--tree", action="store_true", help="print the call tree")
    args = parser.parse_args()
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    headers = {"HX-Request": "true", "HX-Target": args.htmx} if args.htmx else {}
    for url in args.urls:
        for _ in range(10):
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            client.get(url, headers=headers)
        elapsed = (time.perf_counter() - start) / args.n * 1000
        cpu = (time.process_time() - cpu) / args.n * 1000
        print(
            f"{url}: {elapsed:.2f} ms per request, {cpu:.2f} ms of this process's CPU ({len(response.content)} bytes)"
        )
        if args.tree:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.n):
                client.get(url, headers=headers)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("SHOW_ALL"))))


if __name__ == "__main__":
    main()
