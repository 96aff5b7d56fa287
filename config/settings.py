"""Settings of the whole site, read from the environment in this one place.

Every variable is listed in the README. Development needs none of them: without
DATABASE_URL an embedded PostgreSQL (pgserver) is started, and DEBUG defaults to on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-volna-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "social_django",
    "django_filters",
    "phonenumber_field",
    "easy_thumbnails",
    "ckeditor",
    "core",
    "accounts",
    "volunteers",
    "courses",
    "methodics",
    "problems",
    "projects",
    # Last: its templates and commands compose the apps above (home page, seed_demo).
    "config",
]

# No LocaleMiddleware: the site speaks one language (LANGUAGES), which LANGUAGE_CODE sets.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.YandexLoginErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.site",
                "accounts.context_processors.unread_messages",
            ],
        },
    },
]
# Django's form renderer with the field, label, error-list and <input> templates in Python.
FORM_RENDERER = "core.forms_renderer.PlainFormRenderer"

# --- Database: PostgreSQL only, every table in one schema -------------------------

DB_SCHEMA = os.environ.get("DB_SCHEMA", "content")
EMBEDDED_PGDATA = Path(os.environ.get("EMBEDDED_PGDATA", BASE_DIR / ".data" / "pgdata"))

if os.environ.get("DATABASE_URL"):
    _database = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)
else:
    from core.embedded_db import embedded_database

    _database = embedded_database(EMBEDDED_PGDATA)

if _database["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Volna runs on PostgreSQL only: DATABASE_URL must be a postgres:// URL.")
_database.setdefault("OPTIONS", {})["options"] = f"-c search_path={DB_SCHEMA},public"
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# Sessions in the database, read in SQL (accounts.sessions).
SESSION_ENGINE = "accounts.sessions"

AUTHENTICATION_BACKENDS = [
    "accounts.backends.YandexOAuth2",
    "accounts.backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SOCIAL_AUTH_YANDEX_OAUTH2_KEY = os.environ.get("YANDEX_CLIENT_ID", "")
SOCIAL_AUTH_YANDEX_OAUTH2_SECRET = os.environ.get("YANDEX_CLIENT_SECRET", "")
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_LOGIN_ERROR_URL = "/accounts/login/"
SOCIAL_AUTH_RAISE_EXCEPTIONS = False
SOCIAL_AUTH_USER_FIELDS = ["username", "email", "first_name", "last_name"]
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    # Yandex confirms the address, so an existing local account with it is the same person.
    "social_core.pipeline.social_auth.associate_by_email",
    "accounts.pipeline.create_user",
    "social_core.pipeline.social_auth.associate_user",
    # No load_extra_data: Yandex tokens are never stored (spec 001), and no user_details:
    # names the user edited in the profile are not overwritten at the next login.
)

# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский"))]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "RU"

# --- Files ------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files served only through permission-checking views (attachments, certificates).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / ".data" / "private"))

THUMBNAIL_ALIASES = {
    "methodics.Methodic.cover": {"card": {"size": (480, 270), "crop": "smart"}},
    "methodics.MethodicStep.image": {"step": {"size": (480, 0)}},
    "courses.Course.cover": {"card": {"size": (640, 360), "crop": "smart"}},
    "volunteers.Volunteer.photo": {
        "avatar_small": {"size": (48, 48), "crop": "smart"},
        "avatar": {"size": (160, 160), "crop": "smart"},
    },
}

# Upload limits, in megabytes.
PHOTO_MAX_MB = int(os.environ.get("PHOTO_MAX_MB", "5"))
# Public pages kept for anonymous visitors, per process (core.cache.kept_for_visitors); 0: off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
ATTACHMENT_MAX_MB = int(os.environ.get("ATTACHMENT_MAX_MB", "10"))
VIDEO_MAX_MB = int(os.environ.get("VIDEO_MAX_MB", "500"))
METHODIC_FILE_MAX_MB = int(os.environ.get("METHODIC_FILE_MAX_MB", "50"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "emails"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Волна <noreply@volna.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security in production -------------------------------------------------------

SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # with SECURE_SSL_REDIRECT: a load balancer checks over HTTP

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # Off by default: a proxy in front usually redirects to HTTPS and sets HSTS itself.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# CKEditor 4 is out of support (ckeditor.W001). Accepted because every rich-text field is
# a core.fields.SanitizedRichTextField: the server cleans the HTML on every save.
SILENCED_SYSTEM_CHECKS = ["ckeditor.W001"]
CKEDITOR_CONFIGS = {
    "default": {
        "toolbar": "Custom",
        "toolbar_Custom": [
            ["Format", "Bold", "Italic", "Underline", "Strike", "Subscript", "Superscript"],
            ["NumberedList", "BulletedList", "Blockquote", "Table", "HorizontalRule"],
            ["Link", "Unlink", "Image", "SpecialChar"],
            ["RemoveFormat", "Source"],
        ],
        "height": 300,
        "width": "100%",
        "language": "ru",
        # Keep symbols (√, π, ∠ …) as characters, not HTML entities, so search finds them.
        "entities": False,
    },
}

SITE_NAME = "Волна"
# The organisation named on certificates.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Волонтёрская организация «Волна»")
# The site's public address, for links in emails and certificates (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Volunteers must be at least this old (years) when they fill in their profile.
VOLUNTEER_MIN_AGE = int(os.environ.get("VOLUNTEER_MIN_AGE", "14"))

# The lowest course assessment (0–100) that passes a course and earns a certificate.
COURSE_PASS_MARK = int(os.environ.get("COURSE_PASS_MARK", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
