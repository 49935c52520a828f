"""Project-wide test set-up.

Tests that need PostgreSQL, Redis or a browser skip themselves on a machine
without them, unless RMA_TEST_REQUIRE names the service, or CI=true is set
and RMA_TEST_REQUIRE is not: then a missing service fails the test instead of
skipping it.
"""

import os
import shutil

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402

# CI=true requires every service unless RMA_TEST_REQUIRE says which ("none": none of them).
_DEFAULT_REQUIRED = "postgres,redis,browser" if os.environ.get("CI", "").lower() == "true" else ""
REQUIRED = {
    s.strip() for s in os.environ.get("RMA_TEST_REQUIRE", _DEFAULT_REQUIRED).split(",") if s.strip() not in ("", "none")
}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def need(service, available, reason):
    """Skip, or fail when CI requires ``service``, if it is not ``available``."""
    if available:
        return
    if service in REQUIRED:
        pytest.fail(f"{service} is required here (RMA_TEST_REQUIRE) but {reason}")
    pytest.skip(reason)


def is_postgres():
    return django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("e2e"):
            item.fixturenames.insert(0, "_need_browser")
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "_need_postgres")


@pytest.fixture
def _need_browser():
    need("browser", shutil.which(CHROMIUM) or os.path.exists(CHROMIUM), f"no Chromium at {CHROMIUM}")


@pytest.fixture
def _need_postgres():
    need("postgres", is_postgres(), "DATABASE_URL does not point at PostgreSQL")


@pytest.fixture(scope="session", autouse=True)
def _static_root(tmp_path_factory):
    """Tests run with DEBUG off and nothing collected: without an existing STATIC_ROOT, WhiteNoise
    warns "No directory at var/static/" for every client and for the live server."""
    from django.test import override_settings

    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static")):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from rma_portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _english():
    """Tests read English messages; the tests of the Romanian default use a fresh Client()."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def client():
    from django.test import Client

    english = Client()
    english.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return english


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits live in the cache.
    from django.core.cache import cache

    def clear():
        if "redis" in django_settings.CACHES["default"]["BACKEND"].lower():
            # Only our own keys: the Celery broker may share the Redis database.
            client = cache._cache.get_client(write=True)
            for key in client.scan_iter(f"{django_settings.CACHES['default']['KEY_PREFIX']}:*"):
                client.delete(key)
        else:
            cache.clear()

    clear()
    yield
    clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def owner(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="owner", email="owner@example.com")


@pytest.fixture
def colleague(db):
    """Another login of the same company (same VAT id)."""
    from accounts.tests.factories import UserFactory

    return UserFactory(username="colleague", email="colleague@example.com")


@pytest.fixture
def stranger(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="stranger", email="stranger@example.com", vat_number="14399840")


@pytest.fixture
def staff(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(username="tech", email="tech@example.com", is_staff=True, vat_country="", vat_number="")


@pytest.fixture
def technician(staff):
    """A member of the service staff, with the group's permissions."""
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get(name="Service staff"))
    return staff


def english_client_for(user):
    """Another browser (English, logged in as ``user``): ``client`` may already be someone else's."""
    from django.test import Client

    browser = Client()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(user)
    return browser


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def colleague_client(colleague):
    return english_client_for(colleague)


@pytest.fixture
def stranger_client(stranger):
    return english_client_for(stranger)


@pytest.fixture
def technician_client(technician):
    return english_client_for(technician)


@pytest.fixture
def invoice():
    """An uploaded PDF sales document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.tests.factories import pdf_bytes

    return SimpleUploadedFile("factura.pdf", pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def photo():
    """An uploaded PNG photo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.tests.factories import png_bytes

    return SimpleUploadedFile("poza.png", png_bytes(), content_type="image/png")
