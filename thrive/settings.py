"""Thrive's one settings module, configured from the environment (see `.env.example`).

Production (`THRIVE_DEBUG` off) refuses to start with a default or short secret, missing encryption keys or no
allowed hosts: see `thrive.core.production.check_production_settings`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from thrive.core.env import (
    env_bool,
    env_int,
    env_json_object,
    env_list,
    env_str,
    load_env_file,
    reference_data_dir,
)
from thrive.core.production import DEMO_SECRET_KEY, check_production_settings, demo_encryption_keys

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(BASE_DIR / ".env")
VAR_DIR = Path(env_str("THRIVE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("THRIVE_DEBUG", default=False)
DEMO_MODE = env_bool("THRIVE_DEMO", default=False)
TESTING = env_bool("THRIVE_TESTING", default="pytest" in sys.modules)
RELAXED = DEBUG or DEMO_MODE or TESTING
# Test isolation empties tables between tests, so tests install the audit triggers themselves.
AUDIT_TRIGGERS = not TESTING

SECRET_KEY = env_str("THRIVE_SECRET_KEY") or (DEMO_SECRET_KEY if RELAXED else "")
ALLOWED_HOSTS = env_list("THRIVE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if RELAXED else "")
ENCRYPTION_KEYS = env_list("THRIVE_ENCRYPTION_KEYS") or (demo_encryption_keys() if RELAXED else [])
BLIND_INDEX_KEY = env_str("THRIVE_BLIND_INDEX_KEY") or (DEMO_SECRET_KEY if RELAXED else "")
REFERENCE_DATA_DIR = reference_data_dir(BASE_DIR)

if not RELAXED:
    check_production_settings(
        secret_key=SECRET_KEY,
        allowed_hosts=ALLOWED_HOSTS,
        encryption_keys=ENCRYPTION_KEYS,
        blind_index_key=BLIND_INDEX_KEY,
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "thrive.core",
    "thrive.accounts",
    "thrive.geography",
    "thrive.surveillance",
    "thrive.detection",
    "thrive.referrals",
    "thrive.outcomes",
    "thrive.directory",
    "thrive.insights",
]

MIDDLEWARE = [
    "thrive.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "thrive.core.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "thrive.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "thrive.urls"
WSGI_APPLICATION = "thrive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "thrive" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "thrive.core.jinja.environment",
            "context_processors": ["thrive.core.context.template_context"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'thrive.sqlite3'}"
# Persistent connections (checked before reuse): a new PostgreSQL connection per request, and per task in the
# workers, which reconnect between tasks, costs more than many of the queries it serves. Tests keep none.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", DEFAULT_SQLITE),
        conn_max_age=env_int("THRIVE_DB_CONN_MAX_AGE", 0 if TESTING else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
TASK_BACKEND = env_str("THRIVE_TASK_BACKEND", "database")
# Notifications have their own queue and worker (scripts/serve.sh), so a long task (a detection run) never
# holds up a delivery that someone is waiting for.
NOTIFICATION_QUEUE = "notifications"
TASK_QUEUES = ["default", NOTIFICATION_QUEUE]
TASKS = {
    "default": (
        {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}
        if TASK_BACKEND == "redis"
        else {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}
    )
}
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"} for name in TASK_QUEUES}
if TASK_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")  # its `rqworker` command runs the RQ task worker
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if TESTING:  # argon2 is deliberately slow; tests sign in hundreds of times
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
SESSION_COOKIE_AGE = env_int("THRIVE_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not RELAXED
CSRF_COOKIE_SECURE = not RELAXED
CSRF_COOKIE_HTTPONLY = True
REAUTH_SECONDS = 15 * 60

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lock the account after 5 failures whatever the address (an address-only lock would be shared by a whole NHS
# network behind one proxy); addresses are still rate limited at sign-in.
# security.W008: TLS ends at the load balancer, which redirects to HTTPS (THRIVE_SSL_REDIRECT turns Django's on);
# security.W021: joining the HSTS preload list is the operator's decision for their domain.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W008", "security.W021"]
AXES_LOCKOUT_CALLABLE = "thrive.accounts.views.locked_out"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("THRIVE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if RELAXED else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not RELAXED
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
THRIVE_MAX_BODY_BYTES = env_int("THRIVE_MAX_BODY_BYTES", 5 * 1024 * 1024, minimum=1024)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "thrive" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if RELAXED
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = RELAXED

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["thrive.accounts.api_auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "thrive.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "thrive.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thrive API",
    "DESCRIPTION": "Agency systems' interface to Thrive: cases, referrals, outcomes and the service directory.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Apps share field names for different code lists; name each list so the schema is unambiguous.
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "thrive.referrals.models.Status",
        "AssessmentStatusEnum": "thrive.outcomes.codes.Status",
        "SexEnum": "thrive.surveillance.codes.Sex",
        "EthnicityEnum": "thrive.surveillance.codes.Ethnicity",
    },
}

EMAIL_URL = env_str("THRIVE_EMAIL_URL", "console://" if RELAXED else "")
NOTIFY_API_KEY = env_str("THRIVE_NOTIFY_API_KEY")
NOTIFY_BASE_URL = env_str("THRIVE_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATE_ID = env_str("THRIVE_NOTIFY_TEMPLATE_ID")
EMAIL_BACKEND = "thrive.core.notifications.email_url.EmailUrlBackend"
DEFAULT_FROM_EMAIL = env_str("THRIVE_FROM_EMAIL", "thrive@example.org")
SITE_URL = env_str("THRIVE_SITE_URL", "http://127.0.0.1:8000")
OUTBOX_MAX_ATTEMPTS = env_int("THRIVE_OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
# Outcome change methods (docs/outcomes.md): JSON objects, checked at start-up by thrive.outcomes.checks.
OUTCOMES_CHANGE_METHODS = env_json_object("THRIVE_OUTCOMES_CHANGE_METHODS")
OUTCOMES_RELIABLE_CHANGE = env_json_object("THRIVE_OUTCOMES_RELIABLE_CHANGE")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("THRIVE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
