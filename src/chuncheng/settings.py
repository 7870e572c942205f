"""Django settings for chuncheng. Everything that differs between machines comes from the environment.

CHUNCHENG_ENV=production turns on the strict checks (no generated secrets, secure cookies, no superusers).
DATABASE_URL switches from the embedded SQLite file to PostgreSQL; REDIS_URL switches the job queue to Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from chuncheng.core.env import (
    database_from_url,
    env_bool,
    env_int,
    env_str,
    secret_from_file,
    sqlite_database,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("CHUNCHENG_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("CHUNCHENG_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("CHUNCHENG_DEBUG", False)

SECRET_KEY = env_str("CHUNCHENG_SECRET_KEY") or secret_from_file(VAR_DIR / "secret-key", generate=not PRODUCTION)
ALLOWED_HOSTS = [h for h in env_str("CHUNCHENG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CHUNCHENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "chuncheng.core",
    "chuncheng.elders",
    "chuncheng.institutions",
    "chuncheng.welfare",
    "chuncheng.assessment",
    "chuncheng.benefits",
    "chuncheng.timebank",
    "chuncheng.alarms",
    "chuncheng.meals",
    "chuncheng.homecare",
    "chuncheng.familybeds",
    "chuncheng.monitoring",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chuncheng.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "chuncheng.core.middleware.SessionIdleTimeoutMiddleware",
    "chuncheng.core.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chuncheng.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chuncheng.urls"
WSGI_APPLICATION = "chuncheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chuncheng.core.context_processors.navigation",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(_database_url) if _database_url else sqlite_database(VAR_DIR / "chuncheng.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "chuncheng.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Administrators must change their password this often (checklist A1; a policy parameter, 90 days by default).
ADMIN_PASSWORD_MAX_AGE = timedelta(days=env_int("CHUNCHENG_ADMIN_PASSWORD_MAX_AGE_DAYS", 90))
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Sessions: 30 minutes idle (enforced by SessionIdleTimeoutMiddleware), 12 hours absolute (security-checklist A3).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("CHUNCHENG_SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CHUNCHENG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Lock-out: 5 failures lock a username from that address for 15 minutes (22239 §8.1.4.1b, checklist A2).
# A per-address throttle (REST_FRAMEWORK below, and LOGIN_RATE for the page) covers parallel bursts.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "chuncheng.core.auth.lockout_response"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
LOGIN_RATE_PER_MINUTE = env_int("CHUNCHENG_LOGIN_RATE_PER_MINUTE", 30)

OTP_TOTP_ISSUER = "春城智慧健康养老信息平台"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chuncheng.core.api_auth.ScopedTokenAuthentication",
        "chuncheng.core.api_auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "chuncheng.core.api_base.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "chuncheng.core.api_base.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": f"{LOGIN_RATE_PER_MINUTE}/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "春城智慧健康养老信息平台 API",
    "DESCRIPTION": "Chuncheng REST API v1. Every list is restricted to the caller's org unit or institution.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# Job queue: huey on an embedded SQLite file by default, on Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    HUEY = {"name": "chuncheng", "huey_class": "huey.RedisHuey", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "name": "chuncheng",
        "huey_class": "huey.SqliteHuey",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }
if env_bool("CHUNCHENG_HUEY_IMMEDIATE", False):
    HUEY = {"name": "chuncheng", "huey_class": "huey.MemoryHuey", "immediate": True}
# The account the nightly "reassessment when due" job requests under (a city official; empty: the job does nothing).
DUE_ASSESSMENT_ACTOR = env_str("CHUNCHENG_DUE_ASSESSMENT_ACTOR", "")

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Field cipher for personal data (security-checklist D1/D2): keys from CHUNCHENG_FIELD_KEYS, else ./var.
CHUNCHENG_FIELD_KEY_FILE = VAR_DIR / "field-keys.json"
CHUNCHENG_FIELD_KEY_GENERATE = not PRODUCTION
CHUNCHENG_CIPHER_ALGORITHM = env_str("CHUNCHENG_CIPHER_ALGORITHM", "aes-gcm")

# Kept for ≥ 184 days (22239 §8.1.4.3c): the retention job refuses anything shorter.
AUDIT_RETENTION_DAYS = max(184, env_int("CHUNCHENG_AUDIT_RETENTION_DAYS", 365))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CHUNCHENG_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"level": "WARNING"}},
}

CHUNCHENG_SITE_NAME = _("Chuncheng Smart Health and Eldercare Platform")
