"""Ceangal settings: one base, read from the environment.

Unset variables give a safe local set-up (SQLite under var/, debug on, console email). A deployment
sets CEANGAL_ENV=production, which turns debug off and makes SECRET_KEY, CEANGAL_FIELD_KEY and
ALLOWED_HOSTS mandatory, and secure cookies and HSTS the default.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ceangal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CEANGAL_VAR_DIR", str(BASE_DIR / "var")))

CEANGAL_ENV = env_str("CEANGAL_ENV", "development")
if CEANGAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CEANGAL_ENV must be 'development' or 'production'.")
PRODUCTION = CEANGAL_ENV == "production"

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")

# Key for AES-GCM field encryption and the keyed blind index (32 bytes, base64). Kept apart from
# SECRET_KEY so that rotating session signing never makes stored data unreadable.
FIELD_ENCRYPTION_KEY = env_str(
    "CEANGAL_FIELD_KEY", None if PRODUCTION else "ZGV2LW9ubHktZmllbGQta2V5LWZvci1jZWFuZ2FsLTA="
)

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names the service answers on.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "simple_history",
    "ceangal.reference",
    "ceangal.audit",
    "ceangal.partners",
    "ceangal.directory",
    "ceangal.notifications",
    "ceangal.referrals",
    "ceangal.clients",
    "ceangal.agreements",
    "ceangal.consent",
    "ceangal.ledger",
    "ceangal.policy",
    "ceangal.rights",
    "ceangal.web",
    "ceangal.api",
    "ceangal.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ceangal.web.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "ceangal.urls"
WSGI_APPLICATION = "ceangal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ceangal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ceangal.web.context_processors.staff",
            ],
        },
    }
]

# Database: DATABASE_URL, or SQLite under var/. PostgreSQL keeps connections open
# (CONN_MAX_AGE): without that, throughput drops several-fold.
_default_sqlite = f"sqlite:///{VAR_DIR / 'ceangal.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers never both read a
    # stale version; WAL lets the web server read while the task worker writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partners.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: staff accounts are made by an organisation admin, never by public sign-up. Email is the
# login. MFA is installed so that requiring it later is a setting, not a rework.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "ceangal.partners.adapters.StaffAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {"login_failed": "5/5m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Ceangal"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:caseload"
LOGOUT_REDIRECT_URL = "account_login"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Preloading is hard to undo: set SECURE_HSTS_PRELOAD=false if the domain cannot be preloaded.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: no inline script, no third-party hosts.
from django.utils.csp import CSP

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("gd", "Gàidhlig")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "ceangal" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "ceangal" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("MEDIA_ROOT", str(VAR_DIR / "documents"))},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production whitenoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Documents are never served from a public URL; they are streamed through a view that checks
# the decision point. MEDIA_URL is deliberately unset.

# Uploads: the limits a document upload is checked against.
CEANGAL_UPLOAD_MAX_BYTES = env_int("CEANGAL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
CEANGAL_UPLOAD_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": env_str("CEANGAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Email: console in development, SMTP in production (Django 6.1's MAILERS).
_MAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
_MAIL_OPTIONS: dict[str, object] = {}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT", 20),
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ceangal <no-reply@ceangal.invalid>")
# The address staff reach Ceangal at: emails and webhook payloads link to it (never to a record's
# content). In production it defaults to https:// and the first of ALLOWED_HOSTS.
CEANGAL_SITE_URL = env_str(
    "CEANGAL_SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")

CEANGAL_PARTNERSHIP_NAME = env_str("CEANGAL_PARTNERSHIP_NAME", "Ceangal")
# How long a break-glass grant lasts before the record closes again.
CEANGAL_BREAK_GLASS_HOURS = env_int("CEANGAL_BREAK_GLASS_HOURS", 4)
# Working days a referral may wait for its answer before it is escalated to the receiving team
# leaders and flagged to the sender; and the partnership's holidays (ISO dates, comma-separated).
CEANGAL_REFERRAL_ANSWER_DAYS = env_int("CEANGAL_REFERRAL_ANSWER_DAYS", 5)
CEANGAL_NON_WORKING_DAYS = env_list("CEANGAL_NON_WORKING_DAYS", [])
# How many partnership searches ("check before registering") one member of staff may make in an
# hour: a brake on enumerating who is known where (docs/matching.md).
CEANGAL_MATCH_SEARCHES_PER_HOUR = env_int("CEANGAL_MATCH_SEARCHES_PER_HOUR", 60)
# The client's own pages (/my/, docs/portal.md): password-less sign-in by a one-time code.
# Text messages go through this backend: a dotted path to a class with send(to, text).
CEANGAL_SMS_BACKEND = env_str(
    "CEANGAL_SMS_BACKEND",
    "ceangal.portal.sms.ConsoleSmsBackend" if not PRODUCTION else "ceangal.portal.sms.NoSmsBackend",
)
CEANGAL_PORTAL_CODE_MINUTES = env_int("CEANGAL_PORTAL_CODE_MINUTES", 10)
CEANGAL_PORTAL_PRINTED_CODE_DAYS = env_int("CEANGAL_PORTAL_PRINTED_CODE_DAYS", 14)
CEANGAL_PORTAL_IDLE_MINUTES = env_int("CEANGAL_PORTAL_IDLE_MINUTES", 30)
# Failed attempts (per identifier, per client) before sign-in is locked, and for how long.
CEANGAL_PORTAL_MAX_FAILURES = env_int("CEANGAL_PORTAL_MAX_FAILURES", 5)
CEANGAL_PORTAL_LOCK_MINUTES = env_int("CEANGAL_PORTAL_LOCK_MINUTES", 15)
# Codes one identifier may ask for in the lock window, and sign-in events (requests and failures)
# the whole service accepts per minute: a brake on guessing spread over many identifiers.
CEANGAL_PORTAL_CODE_REQUESTS = env_int("CEANGAL_PORTAL_CODE_REQUESTS", 5)
CEANGAL_PORTAL_GLOBAL_PER_MINUTE = env_int("CEANGAL_PORTAL_GLOBAL_PER_MINUTE", 300)
# "Who has seen my information" names the person who looked (as well as their role and
# organisation) only where the partnership chose that: docs/portal.md.
CEANGAL_PORTAL_SHOW_VIEWER_NAMES = env_bool("CEANGAL_PORTAL_SHOW_VIEWER_NAMES", False)
# A client's released copy of their information (subject access, portability) can be downloaded
# from their own pages for this many days; after that they are asked to request it again.
CEANGAL_PACK_AVAILABLE_DAYS = env_int("CEANGAL_PACK_AVAILABLE_DAYS", 30)
# A Unicode TrueType font (such as DejaVu Sans) for the copy's PDF. Unset, the PDF uses a built-in
# font that holds Latin-1 only and transliterates other letters (the HTML and JSON are exact).
CEANGAL_PACK_FONT = env_str("CEANGAL_PACK_FONT", "")
if CEANGAL_PACK_FONT and not Path(CEANGAL_PACK_FONT).is_file():
    raise ImproperlyConfigured(f"CEANGAL_PACK_FONT names no file: {CEANGAL_PACK_FONT}")
# Signing in through an OpenID Connect provider such as ScotAccount instead (docs/portal.md): add
# "allauth.socialaccount" and "allauth.socialaccount.providers.openid_connect" to INSTALLED_APPS and
#   SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
#       "provider_id": "scotaccount", "name": "ScotAccount", "client_id": env_str("SCOTACCOUNT_CLIENT_ID"),
#       "settings": {"server_url": env_str("SCOTACCOUNT_SERVER_URL"), "fetch_userinfo": True}}]}}
# What `manage.py enqueue_daily` queues (run it once a day from cron or a timer).
CEANGAL_DAILY_TASKS = [
    "ceangal.notifications.tasks.send_training_reminders",
    "ceangal.clients.tasks.send_follow_up_digests",
    "ceangal.consent.tasks.consent_housekeeping",
    "ceangal.notifications.tasks.deliver_due_webhooks",
    "ceangal.referrals.tasks.escalate_unanswered_referrals",
    "ceangal.rights.tasks.rights_clock_reminders",
    "ceangal.portal.tasks.portal_housekeeping",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
