"""One settings module, configured by environment variables.

DATABASE_URL  default: sqlite file in GRIDGOV_DATA_DIR (WAL mode)
REDIS_URL     optional: shared cache (and tree-version checks) across processes
SECRET_KEY    default: generated once and kept in GRIDGOV_DATA_DIR
DEBUG         default: off
"""

import json
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gridgov.config.env import env_bool, env_list, env_str, persistent_secret_key

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
    "gridgov.accounts",
    "gridgov.areas",
    "gridgov.registry",
    "gridgov.events",
    "gridgov.open311",
    "gridgov.notifications",
    "gridgov.dispatch",
    "gridgov.smartcodes",
    "gridgov.canvass",
    "gridgov.party",
    "gridgov.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gridgov.common.middleware.reject_nul_characters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.common.audit.AuditActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ]
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'gridgov.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)
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

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

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

# Map tiles: a URL template such as https://t0.tianditu.gov.cn/... or an intranet
# tile server. Empty means a plain background (government intranets have no internet).
GRIDGOV_TILE_URL = env_str("GRIDGOV_TILE_URL", "")
GRIDGOV_TILE_ATTRIBUTION = env_str("GRIDGOV_TILE_ATTRIBUTION", "")
# Display names of the levels, e.g. {"grid": "网格单元"}; unset levels keep the defaults.
GRIDGOV_LEVEL_NAMES: dict[str, str] = json.loads(env_str("GRIDGOV_LEVEL_NAMES", "{}"))
# The public address QR codes point to (the scan page must be reachable from phones).
GRIDGOV_PUBLIC_URL = env_str("GRIDGOV_PUBLIC_URL", "http://127.0.0.1:8000")
# Background jobs (plates) run in a thread of the process that asked (embedded default), or
# only in `gridgov run_jobs` when false (production with several web processes).
GRIDGOV_JOBS_IN_PROCESS = env_bool("GRIDGOV_JOBS_IN_PROCESS", True)
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
    "accounts.piiaccess",
    "areas.treeversion",
    "dispatch.workerposition",
    "dispatch.positionsample",
    "events.timelineentry",
    "events.trainedclassifier",  # a pickled model, rebuilt from the events themselves
    "notifications.notification",
    "notifications.delivery",
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("password", "key_hash", "geometry", "last_login")
AUDITLOG_MASK_TRACKING_FIELDS = (
    "id_number",
    "phone",
    "landlord_phone",
    "operator_phone",
    "contact_phone",
    "reporter_phone",
    "address",
)
AUDITLOG_STORE_JSON_CHANGES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
