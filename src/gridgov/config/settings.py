"""One settings module, configured by environment variables.

DATABASE_URL  default: sqlite file in GRIDGOV_DATA_DIR (WAL mode)
REDIS_URL     optional: shared cache (and tree-version checks) across processes
SECRET_KEY    default: generated once and kept in GRIDGOV_DATA_DIR
DEBUG         default: off
GRIDGOV_HTTPS default: on (HSTS, SSL redirect, secure cookies); `make run` and the tests
              serve plain http on 127.0.0.1 and turn it off
"""

import json
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gridgov.config.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    persistent_secret_key,
    tile_source,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("GRIDGOV_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = persistent_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "gridgov.web",  # first: its admin templates (language switch, branding) override Django's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its Swagger UI files, served from here instead of a CDN
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "gridgov.accounts",
    "gridgov.areas",
    "gridgov.registry",
    "gridgov.events",
    "gridgov.analytics",  # the daily rollup of events (docs/decisions/0016)
    "gridgov.open311",
    "gridgov.notifications",
    "gridgov.dispatch",
    "gridgov.smartcodes",
    "gridgov.canvass",
    "gridgov.party",
    "gridgov.residents",  # the resident's side (issue 11): above events
    "gridgov.care",  # special groups and their visits (issue 12): above registry and events
    "gridgov.assessment",  # the classified assessment (issue 13): above analytics
    "gridgov.reports",  # reports and exports (issue 13): above analytics and assessment
    "gridgov.demo",
    "gridgov.ops",  # backup and restore (docs/decisions/0019)
    "huey.contrib.djhuey",  # the task queue's `run_huey` consumer (docs/decisions/0014)
    "django_prometheus",
]

MIDDLEWARE = [
    # First and (almost) last: request latency by view and method for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that answers (Open311 only)
    "gridgov.common.unavailable.ServiceUnavailableMiddleware",  # outage: 503, not 500
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gridgov.common.middleware.reject_nul_characters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gridgov.common.twofactor.second_factor_required",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.common.audit.AuditActorMiddleware",
    "gridgov.common.ratelimits.anonymous_write_limits",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last: it answers a locked-out login with the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gridgov.config.urls"
WSGI_APPLICATION = "gridgov.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.web.menu.menu",
            ]
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the map and the API read while an import writes; IMMEDIATE avoids
    # "database is locked" on lock upgrades inside write transactions.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # No JIT: every read here is bounded by an index or a rollup (tens of ms), where
    # PostgreSQL's cost estimate still crosses jit_above_cost and compiling the expressions
    # costs 20-30 ms of a 75 ms read (the dashboard at 10M events, decision 0040).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):  # an operator's own setting wins
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# The same backends wrapped by django-prometheus: query and connection counts for /metrics.
_PROMETHEUS_ENGINES = {
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.contrib.gis.db.backends.postgis": "django_prometheus.db.backends.postgis",
}
DATABASES["default"]["ENGINE"] = _PROMETHEUS_ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the session's user read together with their area (accounts/backends.py);
    # Django's own stays listed for sessions signed in before it.
    "gridgov.accounts.backends.UserWithAreaBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("GRIDGOV_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Login throttling (django-axes), per account and, separately, per client address: after
# GRIDGOV_LOGIN_FAILURE_LIMIT wrong passwords the account (or the address) is refused, even
# with the right password, for GRIDGOV_LOGIN_COOLOFF_MINUTES. Counted in the database, so
# every web process shares the count. The address is the one rate limits use.
AXES_FAILURE_LIMIT = env_int("GRIDGOV_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GRIDGOV_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "gridgov.common.client.client_address"
AXES_LOCKOUT_CALLABLE = "gridgov.common.throttle.lockout_response"
AXES_VERBOSE = False
# Unlock with `gridgov axes_reset_username NAME` or `gridgov axes_reset_ip ADDRESS`.
AXES_ENABLE_ADMIN = False

# Two-factor (TOTP, django-otp): required of superusers and staff of the whole district when
# GRIDGOV_REQUIRE_2FA is on (the default; `make run` and the tests turn it off for the demo
# logins), optional for everyone else; whoever enrolled a device is always asked for a code.
# docs/decisions/0010-login-throttling-and-two-factor.md
GRIDGOV_REQUIRE_2FA = env_bool("GRIDGOV_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = env_str("GRIDGOV_OTP_ISSUER", "gridgov")

# Staff sessions are short: GRIDGOV_SESSION_HOURS at most, and they end when the browser
# closes (gridgov.common.twofactor); residents keep theirs for the same hours.
SESSION_COOKIE_AGE = int(float(env_str("GRIDGOV_SESSION_HOURS", "8")) * 3600)

# Anonymous writes (the /report/ form with its photos, the public report API, Open311 POSTs,
# registrations on a place's page) per client address and hour, counted in the shared cache
# (Redis when REDIS_URL is set, so every web process counts together).
GRIDGOV_ANONYMOUS_WRITES_PER_HOUR = env_int("GRIDGOV_ANONYMOUS_WRITES_PER_HOUR", 30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("GRIDGOV_MEDIA_DIR", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"  # served by a view that checks who may see the event
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve app static files straight from the package in the embedded mode (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS is the default (HSTS, redirect to https, cookies only over https); GRIDGOV_HTTPS=false
# serves plain http, for `make run` on 127.0.0.1 and the tests. Behind a proxy that ends TLS,
# GRIDGOV_PROXY_SSL_HEADER names the header it sets to "https" (e.g. X-Forwarded-Proto); the
# proxy must overwrite that header, never pass on a client's.
GRIDGOV_HTTPS = env_bool("GRIDGOV_HTTPS", True)
_proxy_ssl_header = env_str("GRIDGOV_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = GRIDGOV_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]  # probes and scrapers use plain http
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = GRIDGOV_HTTPS
SECURE_HSTS_SECONDS = env_int("GRIDGOV_HSTS_SECONDS", 31536000) if GRIDGOV_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GRIDGOV_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("GRIDGOV_HSTS_PRELOAD", True)

# Map tiles: a URL template such as https://t0.tianditu.gov.cn/... or an intranet
# tile server. Empty means a plain background (government intranets have no internet).
GRIDGOV_TILE_URL = env_str("GRIDGOV_TILE_URL", "")
GRIDGOV_TILE_ATTRIBUTION = env_str("GRIDGOV_TILE_ATTRIBUTION", "")
# Display names of the levels, e.g. {"grid": "网格单元"}; unset levels keep the defaults.
GRIDGOV_LEVEL_NAMES: dict[str, str] = json.loads(env_str("GRIDGOV_LEVEL_NAMES", "{}"))
# The public address QR codes point to (the scan page must be reachable from phones).
GRIDGOV_PUBLIC_URL = env_str("GRIDGOV_PUBLIC_URL", "http://127.0.0.1:8000")
# The task queue (Huey; docs/decisions/0014-task-queue.md): deliveries, plate jobs and the
# periodic sweeps run in `gridgov run_huey` consumers (`make run` starts one beside the server).
# Embedded default: a SQLite file in the data dir. Production: Redis, GRIDGOV_QUEUE_URL (else
# REDIS_URL; give the queue a database number of its own, a cache clear flushes its database).
GRIDGOV_QUEUE_URL = env_str("GRIDGOV_QUEUE_URL", REDIS_URL)
HUEY = {
    "name": "gridgov",
    "immediate": False,
    "results": False,  # every task keeps its outcome in its own row (delivery, plate job)
    "utc": True,
    "consumer": {
        "workers": env_int("GRIDGOV_QUEUE_WORKERS", 2),
        "worker_type": "thread",
        "max_delay": 1.0,  # an idle SQLite consumer polls once a second, not every ten
    },
}
if GRIDGOV_QUEUE_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": GRIDGOV_QUEUE_URL}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "queue.sqlite3")}
# A plate job whose progress has not moved for this long is taken to be orphaned (its consumer
# died) and queued again; the job row's compare-and-swap keeps it to one finished run.
GRIDGOV_PLATE_JOB_STALE_SECONDS = env_int("GRIDGOV_PLATE_JOB_STALE_SECONDS", 600)
# A consumer's claim on a delivery: past it (the consumer died mid-send) another may send it.
GRIDGOV_DELIVERY_LEASE_SECONDS = env_int("GRIDGOV_DELIVERY_LEASE_SECONDS", 60)
# /metrics (Prometheus): answered to this bearer token, or without one only to loopback.
GRIDGOV_METRICS_TOKEN = env_str("GRIDGOV_METRICS_TOKEN", "")
# The big screen's answer is shared for this long by users who would get the same one
# (same role and area): every open screen polls every few seconds (decision 0015). 0: off.
GRIDGOV_SCREEN_CACHE_SECONDS = env_int("GRIDGOV_SCREEN_CACHE_SECONDS", 3)
# The rates above the queue and its "about N" total, kept per user (decision 0026).
GRIDGOV_QUEUE_SUMMARY_SECONDS = env_int("GRIDGOV_QUEUE_SUMMARY_SECONDS", 30)
# Whistle-and-report deadlines in hours per level and step, over the defaults of decision
# 0025, e.g. {"street": {"action": 36}}. Checked here: a typo stops the start, not a whistle.
GRIDGOV_WHISTLE_DEADLINES: dict = json.loads(env_str("GRIDGOV_WHISTLE_DEADLINES", "{}"))
for _level, _steps in GRIDGOV_WHISTLE_DEADLINES.items():
    if _level not in ("community", "street", "district") or not all(
        step in ("check_in", "action", "report") and isinstance(hours, int | float) and hours > 0
        for step, hours in _steps.items()
    ):
        raise ValueError(
            "GRIDGOV_WHISTLE_DEADLINES: levels community/street/district, steps "
            f"check_in/action/report, hours > 0; got {_level}: {_steps}"
        )
# Positions: how long one counts as "where the worker is now", and how long tracks are kept.
GRIDGOV_POSITION_FRESH_MINUTES = int(env_str("GRIDGOV_POSITION_FRESH_MINUTES", "30"))
GRIDGOV_TRACK_DAYS = int(env_str("GRIDGOV_TRACK_DAYS", "30"))
# Party building: the seed's bounds and grading thresholds (JSON to change them).
GRIDGOV_PARTY_BOUNDS: dict = json.loads(env_str("GRIDGOV_PARTY_BOUNDS", "{}"))
GRIDGOV_PARTY_GRADING: dict = json.loads(env_str("GRIDGOV_PARTY_GRADING", "{}"))
# Video hand-off on a worker's card, e.g. https://meet.example.org/gridgov-{event}-{worker}
GRIDGOV_MEETING_URL = env_str("GRIDGOV_MEETING_URL", "")
OPEN311_JURISDICTION = env_str("OPEN311_JURISDICTION", "gucheng.lijiang.gov.cn")
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "12345")
# CORS for Open311 only (docs/decisions/0028): any city's web client may read and post from
# the browser. Origins comma-separated, "*" for any (the default), empty for none. Never
# with credentials: Open311 takes no cookie, a POST is authorised by its api_key.
GRIDGOV_OPEN311_CORS_ORIGINS = env_list("GRIDGOV_OPEN311_CORS_ORIGINS", "*")
CORS_URLS_REGEX = r"^/open311/.*$"
CORS_ALLOW_ALL_ORIGINS = "*" in GRIDGOV_OPEN311_CORS_ORIGINS
CORS_ALLOWED_ORIGINS = [o for o in GRIDGOV_OPEN311_CORS_ORIGINS if o != "*"]
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400
# How often (seconds) a process checks whether another process edited the area tree.
GRIDGOV_TREE_VERSION_CHECK_SECONDS = float(env_str("GRIDGOV_TREE_VERSION_CHECK_SECONDS", "1.0"))

# The client address behind a reverse proxy: the header it sets (e.g. X-Forwarded-For) and
# how many proxies of ours append to it. Unset: REMOTE_ADDR (no proxy, or one that rewrites it).
GRIDGOV_CLIENT_IP_HEADER = env_str("GRIDGOV_CLIENT_IP_HEADER", "")
GRIDGOV_TRUSTED_PROXIES = int(env_str("GRIDGOV_TRUSTED_PROXIES", "1"))

# Every write to a model leaves an audit row (who, when, what, before/after): the back office,
# the API, commands and jobs alike. Events keep their own timeline and are CAS-updated.
# High-volume telemetry and the logs themselves are left out; personal data is masked in the log.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "admin",
    "contenttypes",
    "auditlog",
    "axes",  # login attempts keep their own log
    "otp_totp",  # TOTP secrets never go into a log; enrolment is in the device table
    "accounts.piiaccess",
    "areas.treeversion",
    "dispatch.workerposition",
    "dispatch.positionsample",
    "events.timelineentry",
    "events.trainedclassifier",  # a pickled model, rebuilt from the events themselves
    "notifications.notification",
    "notifications.delivery",
)
# `public_view`: the event's reverse one-to-one (residents.PublicView, audited itself); read
# for every event written, it cost each report a query.
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("password", "key_hash", "geometry", "last_login", "public_view")
AUDITLOG_MASK_TRACKING_FIELDS = (
    "id_number",
    "phone",
    "landlord_phone",
    "operator_phone",
    "contact_phone",
    "reporter_phone",
    "address",
    "room",
    "answers",  # canvass answers may hold ID numbers and phones
    "details",  # a special group's own fields (guardians' phones, risk levels)
)
AUDITLOG_STORE_JSON_CHANGES = True

# Content-Security-Policy (django-csp 4): no inline script anywhere (every page loads its
# scripts from /static/ and reads its data from json_script blocks), nothing from other hosts
# except the map tiles. Style attributes stay allowed for the libraries that set them in
# markup (ECharts tooltips, Swagger UI); <style> elements and inline script do not.
# docs/decisions/0011-content-security-policy.md
_tile_source = tile_source(GRIDGOV_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([_tile_source] if _tile_source else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# The resident's side (issue 11, app gridgov.residents) --------------------------------
# "Still not fixed": how many days after a report is closed its reporter or followers may
# reopen it for the center.
GRIDGOV_REOPEN_DAYS = int(env_str("GRIDGOV_REOPEN_DAYS", "7"))
# Sign-in by SMS code: how long a code lives, and how many wrong tries spend it.
GRIDGOV_PHONE_CODE_SECONDS = int(env_str("GRIDGOV_PHONE_CODE_SECONDS", "300"))
GRIDGOV_PHONE_CODE_TRIES = int(env_str("GRIDGOV_PHONE_CODE_TRIES", "5"))
# Budgets of the resident side's anonymous and sign-in endpoints (django-ratelimit rates).
GRIDGOV_PHONE_CODES_PER_IP = env_str("GRIDGOV_PHONE_CODES_PER_IP", "20/h")
GRIDGOV_PHONE_CODES_PER_PHONE = env_str("GRIDGOV_PHONE_CODES_PER_PHONE", "5/h")
GRIDGOV_PHONE_LOGINS_PER_IP = env_str("GRIDGOV_PHONE_LOGINS_PER_IP", "30/h")
GRIDGOV_LOOKUPS_PER_IP = env_str("GRIDGOV_LOOKUPS_PER_IP", "30/h")
GRIDGOV_LOOKUPS_PER_NUMBER = env_str("GRIDGOV_LOOKUPS_PER_NUMBER", "10/h")
GRIDGOV_NEARBY_PER_HOUR = int(env_str("GRIDGOV_NEARBY_PER_HOUR", "600"))
GRIDGOV_PUBLIC_READS_PER_MINUTE = int(env_str("GRIDGOV_PUBLIC_READS_PER_MINUTE", "300"))
# Open311: a client's writes per key and hour (decision 0028).
GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR = int(
    env_str("GRIDGOV_OPEN311_WRITES_PER_KEY_PER_HOUR", "3000")
)
# The datum of a phone's own position on the resident pages: "wgs84" (the browser's
# standard), or "gcj02" where a deployment's phones report China's datum.
GRIDGOV_PHONE_CRS = env_str("GRIDGOV_PHONE_CRS", "wgs84")
