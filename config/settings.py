"""Settings of the whole site, read from the environment in this one place.

Every variable is listed in the README. Development needs none of them: without
DATABASE_URL an embedded PostgreSQL (pgserver) is started, and DEBUG defaults to on.
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
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
    "core.apps.AdminConfig",  # django.contrib.admin with core.admin.AdminSite as admin.site
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
    # Login lock-outs and the Content-Security-Policy header: see «Login and page security».
    "accounts.apps.LoginLockoutsConfig",  # django-axes
    "csp",
    # The JSON API under /api/v1/ (see «The API» below).
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
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
    # 400 for control characters in the address or a form, before anything reads them.
    "core.middleware.RejectControlCharactersMiddleware",
    # Answers the API's cross-origin preflights before the rest of the stack (django-cors-headers
    # asks for a place before CommonMiddleware).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.YandexLoginErrorMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
# Parameters bound by the server, and statements prepared by each connection once it has
# run them twice (psycopg's prepare_threshold): PostgreSQL then parses and plans a page's
# queries once per connection, not on every request. Each learner of an exam rush cost it
# 7.6–7.8 ms of CPU instead of 10.6–12.2 (bench/exam_rush.py's steps in process, `timeit`
# 6–11 ms). A pooler between the two must keep one server session per client (PgBouncer:
# session mode, or max_prepared_statements in transaction mode).
_database["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 2}
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------

# The default cache holds what every app process must see alike: content cached per area
# and the pages kept for visitors (core.cache), rate-limit counts (core.ratelimit), the
# sessions in front of their rows. With REDIS_URL it is Redis, shared by every process;
# without it (the quick start, the tests) each process's memory — `check --deploy` warns
# when such a cache keeps pages in production (core.checks).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "volna",
            # Callers name their own timeouts (core.cache); this is for those that do not.
            "TIMEOUT": 300,
            # A Redis that stops answering fails a request in seconds instead of holding
            # its worker until gunicorn's timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Background work: Celery ------------------------------------------------------

# The broker (Redis), by default the cache's Redis. Without one, tasks run at once in the
# process that sends them (task_always_eager): the quick start and the tests need no worker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# An eager task's error stays in its result and the log, as a worker's would: a request
# that sent it (after its commit, core.tasks.delay_on_commit) is not failed by it.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Moscow"
# A task is acknowledged when it is done, not when it starts: a worker that dies mid-task
# leaves it to another (every task is idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
# Nobody waits for a task's result but `generate_certificates --async`, whose task says so
# (courses.tasks.issue_certificates). Each task sent with its result wanted also subscribes
# the sending app process to the result's channel in Redis, and the worker writes it.
CELERY_TASK_IGNORE_RESULT = True
# Redis redelivers an unacknowledged task after this long: longer than any task runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# `celery -A config beat`: the periodic work. Each entry expires after its period, so a
# beat that ran while every worker was down does not leave a pile of them behind.
CELERY_BEAT_SCHEDULE: dict = {
    # Learners enrolled in a webinar's course are reminded of it an hour before it starts.
    "remind-webinars": {
        "task": "courses.tasks.remind_webinars",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 5 * 60},
    },
    # Email a task could not send (its broker down at the commit, its retries spent).
    "email-unsent-messages": {
        "task": "accounts.tasks.email_unsent_messages",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 10 * 60},
    },
    # Certificates of courses passed while their task was lost or failing.
    "issue-missing-certificates": {
        "task": "courses.tasks.issue_missing_certificates",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 15 * 60},
    },
    # Uploaded files no row names, as `manage.py sweep_files` (at night, Moscow time).
    "sweep-files": {
        "task": "core.tasks.sweep_files",
        "schedule": crontab(hour=4, minute=30),
        "options": {"expires": 6 * 3600},
    },
}

# Exports larger than these are rendered by a worker and delivered to the asker's messages
# (problems.views.variants, projects.views.attendance); smaller ones download at once. A
# variant of N versions costs N times one (more with pictures); an attendance PDF grows
# with students × lessons (measured: 0.16 s for 30 × 60, 1.8 s for 200 × 150).
EXPORT_INLINE_MAX_VERSIONS = int(os.environ.get("EXPORT_INLINE_MAX_VERSIONS", "5"))
EXPORT_INLINE_MAX_CELLS = int(os.environ.get("EXPORT_INLINE_MAX_CELLS", "2000"))

# --- The API: /api/v1/, JWT --------------------------------------------------------

# Pages sign in with sessions; the API with JWT access/refresh tokens (simplejwt, rotated and
# blacklisted), the access token carrying the user's `roles` (accounts.tokens).
REST_FRAMEWORK = {
    # simplejwt's Bearer authentication, refusing in Russian.
    "DEFAULT_AUTHENTICATION_CLASSES": ("accounts.tokens.BearerAuthentication",),
    # Every view says who may call it; one that forgets is closed.
    "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "DEFAULT_PARSER_CLASSES": ("rest_framework.parsers.JSONParser",),
    "DEFAULT_PAGINATION_CLASS": "core.api.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ("django_filters.rest_framework.DjangoFilterBackend",),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Counted in the default cache: Redis, shared by every app server, when REDIS_URL is set.
    "DEFAULT_THROTTLE_CLASSES": (
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ),
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "60/minute"),
        "user": os.environ.get("API_USER_RATE", "600/minute"),
    },
}
JWT_SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY", "")
if not JWT_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("JWT_SIGNING_KEY must be set when DEBUG is off.")
    JWT_SIGNING_KEY = "volna-jwt-development-only-never-in-production"
# HS256 wants a key at least as long as its hash (RFC 7518, 3.2); PyJWT warns at every token.
if len(JWT_SIGNING_KEY.encode()) < 32:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be at least 32 bytes long (e.g. `openssl rand -hex 32`).")
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "7"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "TOKEN_OBTAIN_SERIALIZER": "accounts.api.TokenObtainSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.api.TokenRefreshSerializer",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Волна API",
    "DESCRIPTION": "The learner's and teacher's site as a JSON API. Authorization: Bearer <access>.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models call their choices `Status`: each set gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "EnrolmentStatusEnum": "courses.models.VolunteerCourse.Status",
        "QuizAttemptStatusEnum": "courses.models.QuizAttempt.Status",
        "TaskStatusEnum": "problems.models.Task.Status",
        "MethodicStatusEnum": "methodics.models.Methodic.Status",
    },
}
# Cross-origin calls to the API only, and only from the origins named here (none by default).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"

# --- Accounts and login -----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses any login while its account or address is locked out (django-axes).
    "accounts.backends.LockoutBackend",
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
# A Yandex sign-in without `next` lands where a sign-in by password does (accounts.views.landing).
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/accounts/start/"
# An account just created through Yandex ID goes to its profile first, as after registration.
SOCIAL_AUTH_NEW_USER_REDIRECT_URL = "/accounts/profile/"
SOCIAL_AUTH_RAISE_EXCEPTIONS = False
SOCIAL_AUTH_USER_FIELDS = ["username", "email", "first_name", "last_name"]
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    # Not social-core's associate_by_email: an existing account with the Yandex address is
    # entered only if its owner confirmed the address and it is no staff account.
    "accounts.pipeline.link_by_confirmed_email",
    "accounts.pipeline.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "accounts.pipeline.announce_link",
    # No load_extra_data: Yandex tokens are never stored (spec 001), and no user_details:
    # names the user edited in the profile are not overwritten at the next login.
)
# «Отвязать» in the profile: social-core's steps (refused without a usable password), then a message.
SOCIAL_AUTH_DISCONNECT_PIPELINE = (
    "social_core.pipeline.disconnect.allowed_to_disconnect",
    "social_core.pipeline.disconnect.get_entries",
    "social_core.pipeline.disconnect.revoke_tokens",
    "social_core.pipeline.disconnect.disconnect",
    "accounts.pipeline.announce_unlink",
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
# Django serves MEDIA_ROOT itself (core.views.serve_media) in development; in production
# the web server does (deploy/nginx.conf).
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
# Files served only through permission-checking views (attachments, certificates).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / ".data" / "private"))

# S3-compatible object storage (README «Files in object storage»): both kinds of files in
# buckets when S3_BUCKET is set, in the folders above otherwise.
S3_PUBLIC_PREFIX, S3_PRIVATE_PREFIX = "media", "private"


def file_storages(environ: Mapping[str, str]) -> dict:
    """STORAGES' "default" (public media) and "private" (core.storage.PrivateStorage) for
    these environment variables: MEDIA_ROOT and PRIVATE_MEDIA_ROOT without S3_BUCKET; with
    it, public media under `media/` of S3_BUCKET with plain URLs (at S3_PUBLIC_URL, when
    set) and private files under `private/` of S3_PRIVATE_BUCKET (S3_BUCKET unless set),
    fetched only by URLs signed for S3_PRESIGNED_SECONDS. The prefixes never overlap, so one
    bucket may hold both and grant public reading of `media/*` alone. A function of its
    argument: the tests' `s3` fixture builds the same from its own variables."""
    bucket = environ.get("S3_BUCKET", "")
    if not bucket:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "core.storage.PrivateFileSystemStorage"},
        }
    endpoint = environ.get("S3_ENDPOINT_URL") or None
    connection = {
        "endpoint_url": endpoint,
        "access_key": environ.get("S3_ACCESS_KEY_ID") or None,  # None: boto3's own chain (AWS_*, an IAM role)
        "secret_key": environ.get("S3_SECRET_ACCESS_KEY") or None,
        "region_name": environ.get("S3_REGION") or "us-east-1",
        "signature_version": "s3v4",
        # Path-style (`<endpoint>/<bucket>/<key>`) is what every S3-compatible service answers.
        "addressing_style": "path" if endpoint else "virtual",
        # A second «рисунок.png» in a folder gets a new name, as on the disk (S3Storage would overwrite).
        "file_overwrite": False,
    }
    public = {**connection, "bucket_name": bucket, "location": S3_PUBLIC_PREFIX, "querystring_auth": False}
    public_url = urlsplit(environ.get("S3_PUBLIC_URL", "").rstrip("/"))
    if public_url.netloc:
        public |= {"custom_domain": public_url.netloc + public_url.path, "url_protocol": f"{public_url.scheme}:"}
    private = {
        **connection,
        "bucket_name": environ.get("S3_PRIVATE_BUCKET") or bucket,
        "location": S3_PRIVATE_PREFIX,
        "querystring_auth": True,
        "querystring_expire": int(environ.get("S3_PRESIGNED_SECONDS") or "300"),
    }
    return {
        "default": {"BACKEND": "core.s3.PublicS3Storage", "OPTIONS": public},
        "private": {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": private},
    }


def file_origins(environ: Mapping[str, str]) -> list[str]:
    """The origins pages load uploads from, besides their own (the Content-Security-Policy's
    img-src and media-src): with S3_BUCKET, the public media's and the signed URLs'."""
    bucket = environ.get("S3_BUCKET", "")
    if not bucket:
        return []

    def origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    endpoint = environ.get("S3_ENDPOINT_URL")
    region = environ.get("S3_REGION") or "us-east-1"
    aws = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    buckets = [bucket, environ.get("S3_PRIVATE_BUCKET") or bucket]
    origins = [origin(endpoint)] if endpoint else [f"https://{name}.{aws}" for name in buckets]
    if environ.get("S3_PUBLIC_URL"):
        origins.append(origin(environ["S3_PUBLIC_URL"]))
    return sorted(set(origins))


MEDIA_ORIGINS = file_origins(os.environ)

THUMBNAIL_ALIASES = {
    "methodics.Methodic.cover": {"card": {"size": (480, 270), "crop": "smart"}},
    "methodics.MethodicStep.image": {"step": {"size": (480, 0)}},
    "courses.Course.cover": {"card": {"size": (640, 360), "crop": "smart"}},
    "volunteers.Volunteer.photo": {
        "avatar_small": {"size": (48, 48), "crop": "smart"},
        "avatar": {"size": (160, 160), "crop": "smart"},
    },
    # The photo of a person who is no volunteer (a volunteer's is the one above): the same sizes.
    "accounts.User.profile_image": {
        "avatar_small": {"size": (48, 48), "crop": "smart"},
        "avatar": {"size": (160, 160), "crop": "smart"},
    },
    "projects.Student.avatar": {"avatar": {"size": (160, 160), "crop": "smart"}},
}

# Upload limits, in megabytes; and in pixels for pictures (core.uploads), checked before
# a picture is decoded: a small file may unpack into gigabytes.
UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", str(40_000_000)))
PHOTO_MAX_MB = int(os.environ.get("PHOTO_MAX_MB", "5"))
# Public pages kept for anonymous visitors in the default cache (core.cache.kept_for_visitors); 0: off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
ATTACHMENT_MAX_MB = int(os.environ.get("ATTACHMENT_MAX_MB", "10"))
VIDEO_MAX_MB = int(os.environ.get("VIDEO_MAX_MB", "500"))
METHODIC_FILE_MAX_MB = int(os.environ.get("METHODIC_FILE_MAX_MB", "50"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    **file_storages(os.environ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "core.storage.StaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------

# In development the site's mail is written to files in EMAIL_FILE_PATH (one per letter), so that
# `seed_demo` and the runserver log are not flooded with letters; without DEBUG it is printed.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.console.EmailBackend",
)
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

# --- Login and page security -----------------------------------------------------

# Proxies of ours in front of Django, each appending the address it saw to X-Forwarded-For
# (nginx alone: 1). With 0 the client is REMOTE_ADDR and the header, which anyone may
# write, is ignored. Login lock-outs and rate limits count by this address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# django-axes: 10 failed logins for one account or from one address (either) within 15
# minutes refuse that account / address any login for 15 minutes, in the database
# (axes.AccessAttempt) so that every process sees them; deleting the rows in the admin
# («Снять блокировку») lifts a lock-out. Site and admin logins alike.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = "accounts.lockout.lockout_parameters"  # ["ip_address", "username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login forms' field; it holds an email address
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_account"  # the address, in lower case
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# A lock-out lasts 15 minutes from the last counted failure; attempts while locked out
# (the right password included) neither count nor prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No row per successful login (only failures are needed), and our own admin of the
# attempts (accounts.admin) instead of axes' three.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False  # no banner at every start of a process or command; failures are still logged

# core.ratelimit: per action, (count, seconds) per client address and per email address,
# counted in the default cache. Over a limit the page answers 429 and does nothing.
RATE_LIMITS = {
    "password_reset": {"ip": (20, 3600), "email": (5, 3600)},
    "registration": {"ip": (10, 3600)},
    # Letters with a confirmation link: resent from the profile, or to a new address.
    "email_confirmation": {"ip": (20, 3600), "email": (5, 3600)},
    # «Проверить» on an assignment (problems.views.assignments): a class shares one school
    # address, so the address's allowance is a class's, and each pupil's work has its own.
    "assignment_check": {"ip": (1500, 600), "submission": (60, 600)},
    # «Проверить» on a task's page and in the API (problems.views.solving): a signed-in
    # user counted by their account, a visitor by their address.
    "answer_check": {"ip": (30, 60), "user": (30, 60)},
}

# django-csp: the Content-Security-Policy header of every page. No inline script or style
# on the site (static/js, static/css); videos embedded from the hosts methodics allow
# (methodics.views.library.video_embed_url); the Yandex ID login leaves by a form.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "frame-src": ["https://www.youtube-nocookie.com", "https://rutube.ru", "https://vk.com"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # «Войти через Яндекс ID» posts to our /auth/login/yandex-oauth2/, which redirects to
        # oauth.yandex.com; Yandex may redirect on (passport.yandex.*, sso.passport.yandex.*)
        # before a page shows, and Chrome checks form-action on every redirect of a form's
        # submission. Those hops are Yandex's to change, hence its two domains, not hosts.
        "form-action": [SELF, "https://*.yandex.com", "https://*.yandex.ru"],
    },
}
if MEDIA_ORIGINS:  # methodics' and lessons' videos and audio, from the bucket
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"] = [SELF, *MEDIA_ORIGINS]
# Added where CKEditor 4 runs — the admin, and the site's pages with a rich-text form
# (core.csp.with_rich_text_editor): its toolbar is built of inline event handlers and it
# writes inline styles. Still no inline <script>.
CSP_RICH_TEXT_EDITOR = {"script-src-attr": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]}

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
        # Edit in a <div> of the page, not in an <iframe>: CKEditor starts its iframe with an
        # inline script, which the Content-Security-Policy refuses (see CSP_RICH_TEXT_EDITOR).
        "extraPlugins": "divarea",
        "removePlugins": "wysiwygarea",
        # The upload tabs (hidden: nothing uploads through the editor) are iframes started
        # by a javascript: URL, refused likewise.
        "removeDialogTabs": "link:upload;image:Upload",
    },
}

SITE_NAME = "Волна"
# The organisation named on certificates.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Волонтёрская организация «Волна»")
# The site's public address, for links in emails and the certificates' QR codes (no trailing slash);
# `make run HOST=…` sets it to http://<HOST>.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Volunteers must be at least this old (years) when they fill in their profile.
VOLUNTEER_MIN_AGE = int(os.environ.get("VOLUNTEER_MIN_AGE", "14"))

# The lowest course assessment (0–100) that passes a course and earns a certificate.
COURSE_PASS_MARK = int(os.environ.get("COURSE_PASS_MARK", "60"))

# Karma: points for what the community accepts (accounts.karma), by KarmaEntry.Reason.
# Nobody earns them by acting on their own content.
KARMA_POINTS = {"methodic_published": 10, "suggestion_approved": 5, "methodic_useful": 1, "comment_hidden": -2}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in the process that sends them: a worker's «Task … succeeded» line per task,
    # and kombu's «No hostname was supplied» for the missing broker, would only flood the
    # output of runserver and seed_demo. Failures are still logged.
    LOGGING["loggers"] = {
        "celery.app.trace": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
    }
