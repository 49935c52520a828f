"""The portal's benchmark: build data at a scale, serve it as in production, load it with wrk, print one table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rma_bench python3 run.py bench [--small | --large]

It needs PostgreSQL and a database of its own: it empties the claims, sales and serials there first.
"""

from __future__ import annotations

import datetime
import io
import json
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

SCALES = {
    # demo company's claims, other claims, other companies, sales rows, sold serials, wrk seconds, import sizes
    "small": dict(
        demo=1_000,
        others=5_000,
        companies=20,
        sales=20_000,
        serials=10_000,
        seconds=2,
        rounds=1,
        csv=500,
        csv_sales=10_000,
    ),
    "default": dict(
        demo=10_000,
        others=100_000,
        companies=200,
        sales=1_000_000,
        serials=100_000,
        seconds=3,
        rounds=5,
        csv=5_000,
        csv_sales=100_000,
    ),
    "large": dict(
        demo=10_000,
        others=1_000_000,
        companies=2_000,
        sales=10_000_000,
        serials=1_000_000,
        seconds=3,
        rounds=5,
        csv=5_000,
        csv_sales=100_000,
    ),
}
CONNECTIONS = 16
PARTNER, STAFF = "partener", "service"
# A second partner whose company has SMALL_CLAIMS claims: each partner page is measured for both, and its
# ratio to the bare template must not move by more than 15% between them.
SMALL_PARTNER, SMALL_CLAIMS = "bench-small", 10


@dataclass
class Row:
    page: str
    url: str
    requests_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    ratio: float | None = None
    # The same page for the company of SMALL_CLAIMS claims, and its ratio to its own bare run.
    requests_per_s_small: float | None = None
    ratio_small: float | None = None
    # The median, over the rounds, of this page's throughput against the small company's in the same round.
    change: float | None = None
    queries: int | None = None
    sql_ms: float | None = None
    server_ms: float | None = None
    status: int = 200
    errors: int = 0


def copy_rows(model, rows):
    """COPY ``rows`` (dicts of field name -> value) into ``model``'s table; other fields take their defaults."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.name: f.get_default() for f in fields if f.has_default() and not callable(f.default)}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for f in fields:
                    if f.attname in row:
                        value = row[f.attname]
                    elif f.name in row:
                        value = row[f.name]
                    elif f.name in defaults:
                        value = defaults[f.name]
                    else:
                        value = f.get_default()
                    values.append(f.get_db_prep_save(value, connection))
                copy.write_row(values)


def parse_ms(text):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = "Benchmark the portal on PostgreSQL with gunicorn and wrk (empties the claims, sales and serials)."

    def add_arguments(self, parser):
        scale = parser.add_mutually_exclusive_group()
        scale.add_argument("--small", action="store_true", help="a run of under a minute")
        scale.add_argument("--large", action="store_true", help="1,000,000 claims, 10,000,000 sales (the README)")
        parser.add_argument("--output", default="var/bench.json", help="where the JSON result goes")
        parser.add_argument("--keep-data", action="store_true", help="reuse the data of the previous run")
        parser.add_argument(
            "--page", action="append", default=[], help="measure only the pages whose name contains this (repeatable)"
        )
        parser.add_argument(
            "--only",
            choices=["pages", "writes"],
            help="run only the pages (wrk) or only the writes (imports, concurrent claims) part",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark runs on PostgreSQL only (SQLite serialises writers and would measure nothing "
                "useful). Set DATABASE_URL=postgres://user@host:5432/a_database_of_its_own."
            )
        # The imports and claims made here send their e-mails nowhere (not to the console: stdout is the table).
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        name = "small" if options["small"] else "large" if options["large"] else "default"
        self.only_pages = options["page"]
        self.scale = SCALES[name]
        started = time.monotonic()
        if options["only"] != "writes":
            self.ensure_wrk()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        if not options["keep_data"]:
            self.build_data()
        self.prepare()
        self.say(f"data ready in {time.monotonic() - started:.0f} s")
        only = options["only"]
        rows = self.measure_pages() if only != "writes" else []
        extra = (
            {
                "claims_csv_import": self.time_claims_import(),
                "sales_csv_import": self.time_sales_import(),
                "concurrent_claims": self.concurrent_claims(),
            }
            if only != "pages"
            else {}
        )
        result = {
            "scale": name,
            "sizes": self.scale,
            "machine": self.machine(),
            "when": timezone.now().isoformat(),
            "pages": [asdict(r) for r in rows],
            **extra,
            "seconds": round(time.monotonic() - started),
        }
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2))
        self.stdout.write(self.markdown(result))
        self.say(f"JSON written to {output}")

    def say(self, text):
        self.stderr.write(f"[bench] {text}")

    # --- tools -----------------------------------------------------------------------------------

    def ensure_wrk(self):
        if shutil.which("wrk"):
            return
        self.say("wrk is missing: installing it with apt-get")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "wrk"], check=False)
        if not shutil.which("wrk"):
            raise CommandError("wrk is needed: apt-get install wrk")

    def machine(self):
        memory = ""
        try:
            kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
            memory = f"{kb / 1024 / 1024:.0f} GB"
        except (OSError, AttributeError):
            pass
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return {"cpus": os.cpu_count(), "memory": memory, "postgresql": version, "python": sys.version.split()[0]}

    # --- data ------------------------------------------------------------------------------------

    def build_data(self):
        from accounts.models import Company, Membership, MembershipRole, MembershipState, User
        from claims import demo
        from claims.models import Claim, ClaimLine, ClaimType
        from claims.services import allocate_rma_numbers
        from warranty.models import Product, Sale, SoldSerial

        t0 = time.monotonic()
        with connection.cursor() as cursor:
            # TRUNCATE fires no trigger: the claim-count tally goes with the claims, the COPY refills it.
            cursor.execute(
                "TRUNCATE claims_claimline, claims_statuschange, claims_attachment, claims_message, claims_claim, "
                "claims_claimstatustally, claims_importbatch, warranty_sale, warranty_soldserial CASCADE"
            )
        # The previous run's API keys (by name: the claims app does not import the api app).
        api_keys = apps.get_model("api", "CompanyAPIKey").objects
        api_keys.filter(Q(created_by__username__startswith="bench-") | Q(name="bench")).delete()
        Membership.objects.filter(user__username__startswith="bench-").delete()
        User.objects.filter(username__startswith="bench-").delete()
        Company.objects.filter(legal_name__startswith="Bench ").delete()
        with transaction.atomic():
            demo.load()
        s = self.scale
        with transaction.atomic():
            companies = Company.objects.bulk_create(
                [Company(legal_name=f"Bench {n} SRL", vat_id=f"RO9{n:07d}") for n in range(s["companies"])]
            )
            users = User.objects.bulk_create(
                [
                    User(username=f"bench-{n}", email=f"bench-{n}@example.com", password="!")
                    for n in range(s["companies"])
                ]
            )
            Membership.objects.bulk_create(
                [
                    Membership(user=u, company=c, role=MembershipRole.ADMIN, state=MembershipState.ACTIVE)
                    for u, c in zip(users, companies, strict=True)
                ]
            )
            small_company = Company.objects.create(legal_name="Bench small SRL", vat_id="RO8000001")
            small = User.objects.create(username=SMALL_PARTNER, email=f"{SMALL_PARTNER}@example.com", password="!")
            Membership.objects.create(
                user=small, company=small_company, role=MembershipRole.ADMIN, state=MembershipState.ACTIVE
            )
        partner = User.objects.get(username=PARTNER)
        claim_type = ClaimType.objects.filter(brand__isnull=True).order_by("position").first()
        products = list(Product.objects.values_list("pk", flat=True)[:50])
        owners = [(partner.membership.company_id, partner.pk)] * s["demo"] + [
            (users[n % len(users)].membership.company_id, users[n % len(users)].pk) for n in range(s["others"])
        ]
        owners += [(small_company.pk, small.pk)] * SMALL_CLAIMS
        statuses = ["registered", "received", "diagnosis", "repair", "closed"]
        now = timezone.now()
        numbers = allocate_rma_numbers(len(owners), now)
        self.say(f"copying {len(owners):,} claims")
        with transaction.atomic():
            copy_rows(
                Claim,
                (
                    {
                        "rma_year": year,
                        "rma_seq": seq,
                        "rma_number": number,
                        "company_id": company_id,
                        "owner_id": owner_id,
                        "status": statuses[n % len(statuses)],
                        "claim_type_id": claim_type.pk,
                        "return_name": "Bench",
                        "return_street": "Str. Lunga 5",
                        "return_postal_code": "500000",
                        "return_city": "Brasov",
                        "return_country": "RO",
                        "created_at": now - datetime.timedelta(minutes=n),
                        "status_changed_at": now - datetime.timedelta(minutes=n),
                    }
                    for n, ((company_id, owner_id), (year, seq, number)) in enumerate(zip(owners, numbers, strict=True))
                ),
            )
            ids = list(
                Claim.objects.filter(rma_year=numbers[0][0], rma_seq__gte=numbers[0][1]).values_list("pk", flat=True)
            )
            self.say(f"copying {len(ids):,} claim lines")
            copy_rows(
                ClaimLine,
                (
                    {
                        "claim_id": pk,
                        "position": 1,
                        "product_id": products[n % len(products)],
                        "serial": f"BS{n:09d}",
                        "document_date": datetime.date(2026, 1, 1),
                        "description": "Does not turn on.",
                    }
                    for n, pk in enumerate(ids)
                ),
            )
        vats = [c.vat_id for c in companies] + [partner.membership.company.vat_id, small_company.vat_id]
        self.say(f"copying {s['sales']:,} sales and {s['serials']:,} serials")
        with transaction.atomic():
            start = datetime.date(2026, 1, 1)
            copy_rows(
                Sale,
                (
                    {
                        "buyer_vat_id": vats[n % len(vats)],
                        "invoice_number": f"BF{n:09d}",
                        "invoice_date": start - datetime.timedelta(days=n % 900),
                        "product_id": products[n % len(products)],
                        "quantity": 1,
                    }
                    for n in range(s["sales"])
                ),
            )
            copy_rows(
                SoldSerial,
                (
                    {
                        "serial": f"BSN{n:09d}",
                        "product_id": products[n % len(products)],
                        "buyer_vat_id": vats[n % len(vats)],
                        "invoice_number": f"BF{n:09d}",
                        "invoice_date": start - datetime.timedelta(days=n % 900),
                    }
                    for n in range(s["serials"])
                ),
            )
        with connection.cursor() as cursor:
            for table in (
                "claims_claim",
                "claims_claimline",
                "warranty_sale",
                "warranty_soldserial",
                "accounts_company",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
        self.say(f"data built in {time.monotonic() - t0:.0f} s")

    def prepare(self):
        from django.core.management import call_command

        from accounts.models import User
        from claims.models import Claim
        from warranty.models import Product, SoldSerial

        self.users = {who: User.objects.get(username=name) for who, name in self.WHO.items()}
        self.partner, self.staff = self.users["partner"], self.users["staff"]
        # Per partner: a claim to open (the 51st newest, or the oldest of a small company), its line's
        # serial to search for, an EAN and a sold serial of the company to look up.
        self.subjects = {}
        for who in ("partner", "small"):
            company = self.users[who].membership.company
            claims = Claim.objects.filter(company=company).order_by("-created_at")
            claim = claims[min(50, claims.count() - 1)]
            line = claim.lines.select_related("product").first()
            serial = (
                SoldSerial.objects.filter(buyer_vat_id=company.vat_id).order_by("pk").values_list("serial", flat=True)
            ).first()
            self.subjects[who] = {
                "claim": claim,
                "search": line.serial if line else "X",
                "ean": line.product.ean if line else Product.objects.first().ean,
                "serial": serial or "NOSERIAL",
            }
        self.ean = self.subjects["partner"]["ean"]
        # A read key of each partner's company, as `manage.py api_demo_key` makes one (the claims app does
        # not import the api app).
        self.api_keys = {}
        for who in ("partner", "small"):
            out = io.StringIO()
            call_command("api_demo_key", username=self.WHO[who], name="bench", stdout=out)
            self.api_keys[who] = out.getvalue().strip()
        with connection.cursor() as cursor:
            # The previous run's writes (imports, claims) leave pages not yet all-visible: vacuum them, as
            # autovacuum would, so index-only scans stay index-only.
            for table in ("claims_claim", "claims_claimline", "warranty_sale", "warranty_soldserial"):
                cursor.execute(f"VACUUM ANALYZE {table}")

    # --- pages -----------------------------------------------------------------------------------

    WHO = {"partner": PARTNER, "small": SMALL_PARTNER, "staff": STAFF}
    YARDSTICKS = {"template": "/_bench/template", "api": "/_bench/api"}

    def partner_pages(self, who):
        """(page, url, headers, yardstick) of the partner's pages, for ``who`` (partner or small)."""
        subject = self.subjects[who]
        pk, ean, serial = subject["claim"].pk, subject["ean"], subject["serial"]
        htmx = {"HX-Request": "true"}
        api = {"Authorization": f"Api-Key {self.api_keys[who]}"}
        return [
            ("dashboard", "/", {}, "template"),
            ("claim list", "/claims/", {}, "template"),
            ("search (claim list)", f"/claims/?q={subject['search']}", {}, "template"),
            ("claim detail", f"/claims/{pk}/", {}, "template"),
            ("label PDF", f"/claims/{pk}/label.pdf", {}, "template"),
            ("warranty lookup, no JS", f"/?ean={ean}", {}, "template"),
            ("warranty lookup, htmx", f"/?ean={ean}", {**htmx, "HX-Target": "warranty-result"}, "template"),
            ("serial lookup, no JS", f"/?serial={serial}", {}, "template"),
            ("serial lookup, htmx", f"/?serial={serial}", {**htmx, "HX-Target": "serial-result"}, "template"),
            ("bare API view (key, rate limit)", "/_bench/api", api, None),
            ("API claim list", "/api/v1/claims/", api, "api"),
        ]

    def pages(self):
        """(page, url, who, headers, yardstick, small) rows; ``small`` is the same page for the small company."""
        pk = self.subjects["partner"]["claim"].pk
        small = {page: (url, headers) for page, url, headers, _y in self.partner_pages("small")}
        rows = [
            ("bare HttpResponse", "/_bench/ok", None, {}, None, None),
            ("bare template", "/_bench/template", "partner", {}, None, None),
            ("login page", "/accounts/login/", None, {}, "template", None),
        ]
        rows += [
            (page, url, "partner", headers, yardstick, small[page] if yardstick else None)
            for page, url, headers, yardstick in self.partner_pages("partner")
        ]
        rows += [
            ("admin claim list", "/admin/claims/claim/", "staff", {}, "template", None),
            ("admin claim change", f"/admin/claims/claim/{pk}/change/", "staff", {}, "template", None),
        ]
        return rows

    def measure_pages(self):
        static_root = tempfile.mkdtemp(prefix="rma-bench-static-")
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            # The same key as this process: the session cookies made here must be valid there.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": static_root,
            "RMA_BENCHMARK_VIEWS": "1",
            # The rate limit still runs (its cache round trip is part of every API request), but never bites.
            "API_RATE_LIMIT": "100000000/min",
        }
        python = sys.executable
        subprocess.run([python, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, check=True)
        gunicorn = Path(python).with_name("gunicorn")
        server = subprocess.Popen(
            [gunicorn, "rma_portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            self.wait_for(base + "/_bench/ok")
            cookies = {who: self.session_cookie(user) for who, user in self.users.items()}
            rows = []
            for page, url, who, headers, yardstick, small in self.pages():
                if self.only_pages and not any(part in page for part in self.only_pages):
                    continue
                row = self.measure(base, page, url, who, headers, yardstick, cookies, twin=small)
                if url.startswith("/_bench/"):
                    row.queries, row.sql_ms, row.server_ms = 0, 0.0, None
                else:
                    row.queries, row.sql_ms, row.server_ms = self.queries_of(url, who, headers)
                rows.append(row)
                self.say(
                    f"{page}: {row.requests_per_s:.0f} req/s, p50 {row.p50_ms:.1f} ms, ratio {row.ratio}"
                    + (f", with {SMALL_CLAIMS} claims {row.ratio_small}" if small is not None else "")
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(static_root, ignore_errors=True)
        return rows

    def measure(self, base, page, url, who, headers, yardstick, cookies, twin=None):
        """wrk runs of ``url``, each after a run of its yardstick (the bare template, or the bare API view
        with the same key) as ``who``. The machine may be shared and noisy: each page is compared with the
        run just before it, not with one run at the start, in ROUNDS rounds, and the round of the median
        ratio is the result.

        ``twin`` (url, headers) is the same page for the company of SMALL_CLAIMS claims: it runs in the
        same rounds, right beside the page (in alternating order), so that the change between the two
        companies compares runs a few seconds apart, not runs minutes apart."""
        all_headers = self.headers_of(who, headers, cookies)
        status = self.status_of(base + url, all_headers)
        if status != 200:
            self.say(f"{page} ({who}): HTTP {status}")
        if not yardstick:
            row = self.wrk(page, base + url, all_headers)
            row.status = status
            return row
        reference_headers = dict(headers) if yardstick == "api" else {"Cookie": cookies[who or "partner"]}
        twin_headers = self.headers_of("small", twin[1], cookies) if twin else None
        if twin and self.status_of(base + twin[0], twin_headers) != 200:
            self.say(f"{page} ({SMALL_PARTNER}): HTTP {self.status_of(base + twin[0], twin_headers)}")
        rounds = []
        for index in range(self.scale["rounds"]):
            reference = self.wrk("yardstick", base + self.YARDSTICKS[yardstick], reference_headers)
            runs = [("big", url, all_headers)] + ([("small", twin[0], twin_headers)] if twin else [])
            if index % 2:
                runs.reverse()
            measured = {name: self.wrk(page, base + u, h) for name, u, h in runs}
            for row in measured.values():
                row.ratio = (
                    round(row.requests_per_s / reference.requests_per_s, 3) if reference.requests_per_s else None
                )
            rounds.append(measured)
        rounds.sort(key=lambda m: m["big"].ratio or 0)
        row = rounds[len(rounds) // 2]["big"]
        row.status = status
        if twin:
            smalls = sorted(rounds, key=lambda m: m["small"].ratio or 0)
            row.requests_per_s_small = smalls[len(smalls) // 2]["small"].requests_per_s
            row.ratio_small = smalls[len(smalls) // 2]["small"].ratio
            changes = sorted(
                m["big"].requests_per_s / m["small"].requests_per_s - 1 for m in rounds if m["small"].requests_per_s
            )
            row.change = round(changes[len(changes) // 2], 3) if changes else None
        return row

    def headers_of(self, who, headers, cookies):
        return {**headers, "Cookie": cookies[who]} if who else dict(headers)

    def wait_for(self, url):
        for _attempt in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start")

    def session_cookie(self, user):
        client = Client()
        client.force_login(user)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def status_of(self, url, headers):
        request = urllib.request.Request(url, headers=headers)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def wrk(self, page, url, headers):
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{self.scale['seconds']}s", "--latency", "--timeout", "10s"]
        for key, value in headers.items():
            command += ["-H", f"{key}: {value}"]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        row = Row(page=page, url="/" + url.split("/", 3)[3])
        row.requests_per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        row.p50_ms = parse_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
        row.p99_ms = parse_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        row.errors = int(bad.group(1)) if bad else 0
        return row

    def queries_of(self, url, who, headers):
        """Queries, SQL time and server time of one request in this process (Django's test client, no
        network): the fastest of five after a warm-up, since on a busy machine every round trip may also
        wait for a CPU. Server time is measured on runs of their own, without capturing the queries."""
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        if who:
            client.force_login(self.users[who])
        client.get(url, headers=headers)
        runs = []
        for _attempt in range(5):
            with CaptureQueriesContext(connection) as captured:
                client.get(url, headers=headers)
            queries = captured.captured_queries
            runs.append((round(sum(float(q["time"]) for q in queries) * 1000, 2), len(queries)))
        sql_ms, count = min(runs)
        times = []
        for _attempt in range(5):
            started = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        return count, sql_ms, round(min(times), 1)

    # --- writes ----------------------------------------------------------------------------------

    def time_claims_import(self):
        """The partner's import, upload to created claims, while claims are filed on the web meanwhile.

        The batch's handover PDF is rendered by a worker after the commit, not by the import: Celery runs
        eagerly here (no broker), so its render is held back from the import's time and timed on its own.
        Another process files claims one after the other during the import, as the web form does; each waits
        for the year's RMA counter while the import holds it. The import numbers its claims after its commit
        in chunks, each its own transaction: each chunk's hold (from its numbers to its commit) is timed, and
        the longest is reported with the number of chunks.
        """
        from unittest import mock

        from django.urls import reverse

        from claims import services
        from claims.csv_import import claims_import_csv
        from claims.models import ClaimType
        from claims.services import ClaimData, LineData, ReturnAddress, allocate_rma_numbers, claim_create
        from claims.tasks import build_batch_handover
        from warranty.models import Product

        reverse("claim_list")  # a serving process has its URLs loaded: the import's e-mail links to the list
        count = self.scale["csv"]
        out = io.StringIO()
        out.write("own_claim_number;ean;serial_number;sale_date;problem_description;service_expectations\r\n")
        stamp = int(time.time())
        sale_date = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
        for n in range(count):
            out.write(f"BI-{stamp}-{n};{self.ean};BIS{stamp}{n:06d};{sale_date};Does not turn on;Repair\r\n")
        upload = SimpleUploadedFile("bench.csv", out.getvalue().encode(), content_type="text/csv")
        claim_type = ClaimType.objects.filter(brand__isnull=True).order_by("position").first()
        address = ReturnAddress(name="Bench", street="Str. Lunga 5", postal_code="500000", city="Brasov", country="RO")
        web_data = ClaimData(
            claim_type=claim_type,
            lines=[
                LineData(
                    product=Product.objects.get(ean=self.ean), document_date=datetime.date(2026, 1, 2), description="x"
                )
            ],
            return_address=address,
        )
        # The web claims come from another process, as from a gunicorn worker: in a thread of this one they
        # would wait for the import's Python (the GIL), not only for the database.
        context = multiprocessing.get_context("fork")
        stop, outcome = context.Event(), context.Queue()

        def web_claims():
            waits, errors = [], []
            try:
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        with transaction.atomic():
                            claim_create(user=self.partner, data=web_data, notify=False)
                    except Exception as error:  # noqa: BLE001 - counted and reported
                        errors.append(repr(error))
                    else:
                        waits.append(time.monotonic() - started)
                    stop.wait(0.02)
            finally:
                outcome.put((waits, errors))
                connections.close_all()

        queued, holds = [], []

        def allocate(count, now=None):
            taken = time.monotonic()
            # Runs when the chunk's transaction commits, which releases the year's counter.
            transaction.on_commit(lambda: holds.append(time.monotonic() - taken))
            return allocate_rma_numbers(count, now)

        connections.close_all()  # the child opens its own connection, not this one's socket
        web = context.Process(target=web_claims)
        with (
            mock.patch.object(build_batch_handover, "delay", lambda *args: queued.append(args)),
            mock.patch.object(services, "allocate_rma_numbers", allocate),
        ):
            web.start()
            try:
                started = time.monotonic()
                with transaction.atomic():  # as a request does: the numbering runs once it commits
                    result = claims_import_csv(
                        user=self.partner, uploaded=upload, claim_type=claim_type, return_address=address
                    )
                seconds = time.monotonic() - started
            finally:
                stop.set()
                waits, web_errors = outcome.get(timeout=120)
                web.join(timeout=30)
        ok = bool(result.ok)
        if not ok:
            self.say(f"claims import refused the file: {str(getattr(result, 'errors', ''))[:300]}")
        if web_errors:
            self.say(f"web claims during the import failed: {web_errors[:3]}")
        handover_seconds = None
        if queued:
            rendering = time.monotonic()
            build_batch_handover(*queued[0])
            handover_seconds = round(time.monotonic() - rendering, 2)
        waits.sort()
        return {
            "rows": count,
            "ok": ok,
            "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds),
            "web_claims": len(waits),
            "web_wait_median_ms": round(waits[len(waits) // 2] * 1000, 1) if waits else None,
            "web_wait_max_ms": round(waits[-1] * 1000, 1) if waits else None,
            "handover_seconds": handover_seconds,
            "counter_held_max_ms": round(max(holds) * 1000, 1) if holds else None,
            "counter_chunks": len(holds),
        }

    def time_sales_import(self):
        from warranty.imports import run_import

        count = self.scale["csv_sales"]
        stamp = int(time.time())
        vat = self.partner.membership.company.vat_id
        lines = ["buyer_vat_id;invoice_number;invoice_date;ean;quantity"]
        lines += [f"{vat};BSI{stamp}-{n};2026-01-02;{self.ean};1" for n in range(count)]
        raw = ("\r\n".join(lines) + "\r\n").encode()
        started = time.monotonic()
        report = run_import("sales", raw)
        seconds = time.monotonic() - started
        ok = bool(report.ok)
        if not ok:
            self.say(f"sales import refused the file: {str(getattr(report, 'errors', ''))[:300]}")
        return {"rows": count, "ok": ok, "seconds": round(seconds, 2), "rows_per_s": round(count / seconds)}

    def concurrent_claims(self, count=100, threads=16):
        from claims.models import Claim, ClaimType
        from claims.services import ClaimData, LineData, ReturnAddress, claim_create
        from warranty.models import Product

        product = Product.objects.get(ean=self.ean)
        claim_type = ClaimType.objects.filter(brand__isnull=True).order_by("position").first()
        address = ReturnAddress(name="Bench", street="Str. Lunga 5", postal_code="500000", city="Brasov", country="RO")
        created, errors, lock = [], [], threading.Lock()
        todo = list(range(count))

        def work():
            try:
                while True:
                    with lock:
                        if not todo:
                            return
                        n = todo.pop()
                    data = ClaimData(
                        claim_type=claim_type,
                        lines=[LineData(product=product, document_date=datetime.date(2026, 1, 2), description="x")],
                        return_address=address,
                        own_number=f"CC-{n}",
                    )
                    started = time.monotonic()
                    try:
                        with transaction.atomic():
                            claim = claim_create(user=self.partner, data=data, notify=False)
                    except Exception as error:  # noqa: BLE001 - counted and reported
                        with lock:
                            errors.append(repr(error))
                        continue
                    with lock:
                        created.append((claim.rma_year, claim.rma_seq, time.monotonic() - started))
            finally:
                close_old_connections()
                connections.close_all()

        started = time.monotonic()
        pool = [threading.Thread(target=work) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        seconds = time.monotonic() - started
        seqs = sorted(seq for _year, seq, _t in created)
        gapless = bool(seqs) and seqs == list(range(seqs[0], seqs[0] + len(seqs))) and len(seqs) == count
        waits = sorted(t for *_rest, t in created)
        assert Claim.objects.filter(rma_seq__in=seqs).count() >= len(seqs)
        return {
            "claims": count,
            "threads": threads,
            "created": len(created),
            "errors": errors[:5],
            "gapless": gapless,
            "seconds": round(seconds, 2),
            "claims_per_s": round(len(created) / seconds, 1) if seconds else None,
            "p99_ms": round(waits[int(len(waits) * 0.99) - 1] * 1000, 1) if waits else None,
        }

    # --- output ----------------------------------------------------------------------------------

    def markdown(self, result):
        m = result["machine"]
        lines = [
            f"Scale `{result['scale']}` ({result['sizes']['demo']:,} claims of the demo company, "
            f"{result['sizes']['others']:,} across {result['sizes']['companies']:,} companies, "
            f"{result['sizes']['sales']:,} sales, {result['sizes']['serials']:,} serials); "
            f"{m['cpus']} CPUs, {m['memory']}, PostgreSQL {m['postgresql']}, Python {m['python']}; "
            f"gunicorn 2 sync workers, wrk {CONNECTIONS} connections, {result['sizes']['seconds']} s per run; each "
            f"page in {result['sizes']['rounds']} rounds (yardstick, then the page for both companies in "
            "alternating order), the median ratio shown; change is the median, over the rounds, of the demo "
            f"company's throughput against the company of {SMALL_CLAIMS} claims in the same round.",
        ]

        def percent(value):
            return f"{value * 100:.0f}%" if value is not None else "—"

        if result["pages"]:
            lines += [
                "",
                f"| page | requests/s | p50 ms | p99 ms | ratio to its yardstick (run just before) | "
                f"ratio with {SMALL_CLAIMS} claims | change | queries | SQL ms | server ms |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
        for r in result["pages"]:
            flag = f" (HTTP {r['status']})" if r["status"] != 200 else ""
            flag += f" ({r['errors']} non-2xx)" if r["errors"] else ""
            change = f"{r['change'] * 100:+.0f}%" if r.get("change") is not None else "—"
            lines.append(
                f"| {r['page']}{flag} | {r['requests_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{percent(r['ratio'])} | {percent(r.get('ratio_small'))} | {change} | {r['queries']} | {r['sql_ms']} | "
                f"{r.get('server_ms') if r.get('server_ms') is not None else '—'} |"
            )
        if "claims_csv_import" not in result:
            lines.append("")
            return "\n".join(lines)
        ci, si, cc = result["claims_csv_import"], result["sales_csv_import"], result["concurrent_claims"]
        lines += [
            "",
            "| write | result |",
            "| --- | --- |",
            f"| CSV import of {ci['rows']:,} claims | {ci['seconds']} s, {ci['rows_per_s']:,} rows/s"
            f"{'' if ci['ok'] else ' (refused)'} |",
            f"| web claim during a {ci['rows']:,}-claim import | waited {ci['web_wait_max_ms']} ms at most "
            f"(median {ci['web_wait_median_ms']} ms, {ci['web_claims']} claims); the import held the RMA counter "
            f"{ci.get('counter_held_max_ms')} ms at most, {ci.get('counter_chunks')} times (one per numbering chunk) |",
            f"| handover PDF of the {ci['rows']:,} claims (a worker, after the commit) | {ci['handover_seconds']} s |",
            f"| CSV import of {si['rows']:,} sales | {si['seconds']} s, {si['rows_per_s']:,} rows/s"
            f"{'' if si['ok'] else ' (refused)'} |",
            f"| {cc['claims']} concurrent claim creations ({cc['threads']} threads) | {cc['created']} created in "
            f"{cc['seconds']} s, p99 {cc['p99_ms']} ms, numbers {'gapless' if cc['gapless'] else 'NOT gapless'} |",
            "",
        ]
        return "\n".join(lines)
