"""One settings module for every environment, driven by environment variables.

DATABASE_URL       sqlite:////abs/path/db.sqlite3 or postgres://user@host:5432/name
                   (default: db.sqlite3 in the project folder)
CELERY_BROKER_URL  redis://127.0.0.1:6379/0; unset: tasks run eagerly in-process
SECRET_KEY, DEBUG, ALLOWED_HOSTS (comma-separated)
SECRET_KEY_FILE    where to read the key when SECRET_KEY is unset (default: .local/secret_key,
                   written by `make setup`)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def read_secret_key(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


DEBUG = env_bool("DEBUG", False)
# Production sets SECRET_KEY; a working copy uses the random key `make setup` wrote into a
# git-ignored file; only DEBUG may fall back to the public development key.
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE") or BASE_DIR / ".local" / "secret_key")
SECRET_KEY = os.environ.get("SECRET_KEY") or read_secret_key(SECRET_KEY_FILE)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"未设置 SECRET_KEY，拒绝以公开的开发密钥运行：生产环境请设置环境变量 SECRET_KEY；"
            f"本机请先运行 make setup（生成 {SECRET_KEY_FILE}），或以 DEBUG=1 开发。 "
            f"SECRET_KEY is not set and DEBUG is off: set the SECRET_KEY environment variable in "
            f"production, or run `make setup` to generate {SECRET_KEY_FILE} on this machine, "
            f"or use DEBUG=1 for development."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # check --deploy rejects it
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "csp",
    "targets",
    "groups",
    "chains",
    "projects",
    "leads",
    "landing",
    "supervision",
    "figures",
    "reports",
    "backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A save that waited past SQLite's timeout for the one writer: 503 with a message, not a 500.
    "fuling_invest.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fuling_invest.urls"
WSGI_APPLICATION = "fuling_invest.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "access.context.context",
                "reports.context.notifications",
                "fuling_invest.todo.context",
                "targets.context.organisation",
            ],
        },
    },
]


def database_from_url(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Two writers wait for each other instead of failing with "database is locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiling cost 0.1–0.8 s per ranking query and saved nothing (docs/performance.md).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    return config


DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failed attempts for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: REMOTE_ADDR, or behind PROXY_COUNT reverse proxies the entry the one
# the client connects to appended to X-Forwarded-For (fuling_invest/client_ip.py, docs/deploy.md).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "fuling_invest.client_ip.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese whatever the browser asks for (no LocaleMiddleware): the district works in Chinese.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # ECharts from the npm registry (`make setup`), served by the app: no CDN on an intranet.
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# Uploads: the Excel import caps its own files (IMPORT_MAX_BYTES); nothing else is large.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 5 * 1024 * 1024))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 20000))
# An uploaded import not confirmed within this time is discarded and its file deleted (Celery beat).
IMPORT_PENDING_FOR = timedelta(days=int(os.environ.get("IMPORT_PENDING_DAYS", 7)))
# Evidence of arrived capital (a bank slip): PDF or image, kept outside the static files and
# served only through a view that checks who asks (MEDIA_ROOT is never served directly).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440

# Bulletins (PDF): this CJK TrueType font is embedded when the file exists (Debian's
# fonts-wqy-zenhei; a .ttc names its face by BULLETIN_FONT_INDEX). Without it the PDF falls back
# to ReportLab's built-in STSong-Light, which readers must supply themselves.
BULLETIN_FONT = os.environ.get("BULLETIN_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
BULLETIN_FONT_INDEX = int(os.environ.get("BULLETIN_FONT_INDEX", 0))

# Celery: without a broker the tasks run in-process, so the embedded default needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# In-process, the broker is never reached; "memory://" only keeps kombu from looking for one.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died is delivered again (it is idempotent), not lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Below Redis's visibility timeout (1 hour by default), so a late-acked task is never run twice at once.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# The one schedule (Asia/Shanghai, CELERY_TIMEZONE): each quarter's bulletin is drafted at 02:00
# on the 5th day after the quarter ends, i.e. on 5 January, April, July and October; import
# uploads never confirmed are discarded every night.
CELERY_BEAT_SCHEDULE = {
    "draft-quarterly-bulletin": {
        "task": "reports.draft_due_bulletin",
        "schedule": crontab(minute=0, hour=2, day_of_month=5, month_of_year="1,4,7,10"),
    },
    "expire-import-batches": {
        "task": "projects.expire_import_batches",
        "schedule": crontab(minute=30, hour=3),
    },
    "mark-lead-alerts": {
        "task": "leads.mark_lead_alerts",
        "schedule": crontab(minute=30, hour=1),
    },
    # Key-task reports (domain.md §12) still missing after their due date (the 5th day after
    # the quarter) are marked overdue and join their unit's to-do.
    "mark-overdue-task-reports": {
        "task": "supervision.mark_overdue_reports",
        "schedule": crontab(minute=45, hour=1),
    },
    # The weekly activity index (domain.md §11) of the week that ended at Sunday's midnight.
    "store-activity-index": {
        "task": "reports.store_activity_index",
        "schedule": crontab(minute=0, hour=2, day_of_week=1),
    },
}
# Without a broker, a task requested from a page runs in a thread of the web process, so the
# request does not wait for it (tests turn this off to run tasks where they can see them).
TASKS_IN_THREAD = env_bool("TASKS_IN_THREAD", True)

# Pages load scripts and styles only from the app itself: no inline script anywhere.
# Style *attributes* are allowed because ECharts writes its tooltips as HTML with style="…".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form (expired page, cookies blocked) is told in Chinese, in the site's layout.
CSRF_FAILURE_VIEW = "fuling_invest.errors.csrf_failure"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; its warnings (failures, lockouts) are what matters.
    "loggers": {"axes": {"level": "WARNING"}},
}
