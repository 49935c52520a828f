"""Settings for the RMA portal, read from the environment in this one place.

With no environment at all the portal runs on its embedded default: SQLite
under ``var/``, Celery tasks run eagerly, e-mail written to ``var/mail/`` and
echoed to the console. Every variable is listed in the README. A malformed
value stops the start with a message naming the variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name, schemes):
    raw = env_str(name)
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not (parts.hostname or parts.path):
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, not {raw!r}"
        )
    return raw


DEBUG = env_bool("DEBUG", default=not os.environ.get("SECRET_KEY"))
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-default"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before the admin, so that its TranslationAdmin and fields are registered first.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "phonenumber_field",
    "django_htmx",
    "csp",
    "sequences",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "warranty",
    "claims",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PortalCSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "api.middleware.ApiProblemMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.LanguageMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Widgets drawn in Python where Django's templates would cost an include per option (core/renderers.py).
FORM_RENDERER = "core.renderers.FastWidgetRenderer"

ROOT_URLCONF = "rma_portal.urls"
WSGI_APPLICATION = "rma_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Compiled templates are kept per process (explicitly, production and tests alike); runserver's
            # autoreloader clears them when a template changes.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.portal",
                "accounts.context_processors.company",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
# On SQLite, parallel writers wait their turn instead of failing with "database
# is locked": a transaction takes the write lock when it begins (IMMEDIATE), so
# two readers never deadlock upgrading to writers, a waiting writer retries for
# 5 s, and WAL lets readers go on while one writes.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
}
_database_url = env_url("DATABASE_URL", ["postgres", "postgresql", "sqlite"])
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **SQLITE_OPTIONS}
elif env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # The queries compiled once (core.compiled) run as prepared statements of the connection, planned
    # once (a generic plan: tests/test_query_plans.py checks those plans); Django's own queries are never
    # prepared (its cursors bind on the client). Off behind a pooler that cannot keep them.
    _options = DATABASES["default"].get("OPTIONS", {})
    DATABASES["default"]["OPTIONS"] = {
        **_options,
        "prepare_threshold": _options.get("prepare_threshold", 5),
        "options": f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip(),
    }
# Every request is one transaction: a form that fails half-way leaves nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and the shared cache (allauth's rate limits live there).
REDIS_URL = env_url("REDIS_URL", ["redis", "rediss"])
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rma",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "rma_portal")
# Housekeeping, run by `celery -A rma_portal beat` (the "beat" service); each
# job also runs by hand: `manage.py housekeeping <name>|all`. Every task is
# idempotent, so a missed or doubled run does no harm.
CELERY_BEAT_SCHEDULE = {
    "purge_held_uploads": {"task": "claims.tasks.purge_held_uploads", "schedule": 3600.0},
    "purge_unconfirmed": {"task": "accounts.tasks.purge_unconfirmed_signups", "schedule": 6 * 3600.0},
    "retry_emails": {"task": "core.tasks.retry_unsent_emails", "schedule": 600.0},
    "purge_invitations": {"task": "accounts.tasks.purge_expired_invitations", "schedule": 6 * 3600.0},
    "import_jobs": {"task": "core.tasks.import_jobs_housekeeping", "schedule": 600.0},
    "purge_claim_submissions": {"task": "claims.tasks.purge_claim_submissions", "schedule": 3600.0},
    "compact_claim_tallies": {"task": "claims.tasks.compact_claim_tallies", "schedule": 600.0},
    "number_placeholder_claims": {"task": "claims.tasks.number_placeholder_claims", "schedule": 600.0},
    "purge_idempotency_keys": {"task": "api.tasks.purge_idempotency_records", "schedule": 3600.0},
    "purge_webhook_deliveries": {"task": "api.tasks.purge_webhook_deliveries", "schedule": 6 * 3600.0},
}

AUTH_USER_MODEL = "accounts.User"
# One backend (allauth's, by username or e-mail, permissions as ModelBackend):
# every login attempt costs one password hash, known account or not.
AUTHENTICATION_BACKENDS = ["accounts.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
SITE_ID = 1

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[INNPRO Service] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_SESSION_REMEMBER = None
# How many proxies of ours stand before the portal (the TLS proxy: 1). The
# per-IP rate limits read the client's address from X-Forwarded-For through
# core.http.client_ip (the account adapter hands allauth the same answer); with
# 0 the header is ignored, so a forged one changes nothing.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

PHONENUMBER_DEFAULT_REGION = "RO"

LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Romanian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Names that staff edit (claim types, fault types) are stored per language;
# an empty one falls back to the other language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ro"
MODELTRANSLATION_LANGUAGES = ("ro", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ro", "en")
LANGUAGE_COOKIE_NAME = "portal_language"
# Templates write dates as |date:"SHORT_DATE_FORMAT"; each language's format is in rma_portal/formats/.
FORMAT_MODULE_PATH = ["rma_portal.formats"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", "")) if env_str("STATIC_ROOT", "") else BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (attachments) are never served under a public URL: a view
# that checks ownership streams them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# E-mail: files under var/mail/ and the console unless EMAIL_URL is set.
_email_url = env_url("EMAIL_URL", ["smtp", "submission", "smtps", "console", "file", "memory"])
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
if _email_url:
    _email = dj_email_url.parse(_email_url)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "core.mail_backend.FileAndConsoleBackend"
# Seconds before the first retry of an e-mail the SMTP server refused (doubling each time).
EMAIL_RETRY_BACKOFF = env_int("EMAIL_RETRY_BACKOFF", 5)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "INNPRO Service <service@innpro.ro>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The portal's own business settings.
SERVICE_EMAIL = env_str("SERVICE_EMAIL", "service@innpro.ro")
SERVICE_PHONE = env_str("SERVICE_PHONE", "+40 21 000 0000")
SERVICE_ADDRESS = env_list(
    "SERVICE_ADDRESS",
    [
        "INNPRO ROMANIA",
        "Str. Nerva Traian, Nr. 3, City Business Center, et. 2",
        "Sector 3, București, 031041",
        "ROMANIA",
    ],
)
PORTAL_URL = env_url("PORTAL_URL", ["http", "https"]).rstrip("/") or "http://127.0.0.1:8000"
RMA_SITE_CODE = env_str("RMA_SITE_CODE", "SR")
# An admin "Import CSV" file with more lines than this runs in a Celery worker, its progress shown on a
# page of its own, instead of inside the request (20,000 sales rows take about a second on PostgreSQL).
CSV_ADMIN_INLINE_ROWS = env_int("CSV_ADMIN_INLINE_ROWS", 20_000)
if not RMA_SITE_CODE.isalnum():
    raise ImproperlyConfigured(f"RMA_SITE_CODE must be letters or digits, not {RMA_SITE_CODE!r}")

# Production hardening: the portal sits behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Scripts and styles come only from our own static files: no inline script,
# no inline event handler, no eval (htmx reads its config from a <meta> tag),
# no inline style. Django's admin carries inline styles: there (and only there)
# core.middleware.PortalCSPMiddleware adds CONTENT_SECURITY_POLICY_ADMIN_UPDATE.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CONTENT_SECURITY_POLICY_ADMIN_UPDATE = {"style-src": [UNSAFE_INLINE]}
# Browser features the portal never uses (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The benchmark's reference pages (a bare response, a bare base-layout template): only when it asks.
BENCHMARK_VIEWS = env_bool("RMA_BENCHMARK_VIEWS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The partner API (api/): keys only, problem+json errors, throttled per key on the shared cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.CompanyKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.KeyScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("API_RATE_LIMIT", "600/min")},
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.ApiJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "INNPRO Service partner API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ClaimStatusEnum": "claims.statuses.Status"},
}
# Webhooks (api/webhooks.py): addresses in private, loopback or link-local networks are refused
# (SSRF) unless this allows them (tests, development). Retries: seconds to wait before each.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOK_RETRY_DELAYS = [5, 60, 300, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600]  # about a day in all
WEBHOOK_TIMEOUT = 10
WEBHOOK_DISABLE_AFTER_FAILURES = 20
