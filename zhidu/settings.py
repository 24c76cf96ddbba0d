"""zhidu settings: one module, driven by the environment, failing loudly on bad values.

Environment variables (all optional in development):
  ZHIDU_ENV               dev (default) | test | production
  SECRET_KEY / SECRET_KEY_FILE   required in production
  DEBUG                   bool, default True in dev, False otherwise
  ALLOWED_HOSTS           comma-separated
  DATABASE_URL            e.g. postgres://user@127.0.0.1:5432/zhidu ; default SQLite in var/
  REDIS_URL               cache (token cache shared across processes); default file cache in var/
  CELERY_BROKER_URL       Celery broker; without it tasks run eagerly in-process
  WECOM_*                 see docs/wecom.md
  LOGIN_FAILURES_PER_ACCOUNT (5), LOGIN_FAILURES_PER_ADDRESS (20), LOGIN_LOCKOUT_SECONDS (900),
  APPLICATION_RATE_LIMIT (10), APPLICATION_RATE_WINDOW (3600), CLIENT_IP_HEADER, API_DOCS_PUBLIC,
  CONTENT_SECURITY_POLICY  see docs/deployment.md
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIDU_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        raw = default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must be a number ≥ 0")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
    return os.environ.get(name, default)


ZHIDU_ENV = env_str("ZHIDU_ENV", "dev")
if ZHIDU_ENV not in {"dev", "test", "production"}:
    raise ImproperlyConfigured(f"ZHIDU_ENV={ZHIDU_ENV!r} must be one of dev, test, production")
PRODUCTION = ZHIDU_ENV == "production"

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when ZHIDU_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-" + "x" * 20

DEBUG = env_bool("DEBUG", default=not PRODUCTION and ZHIDU_ENV == "dev")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves /api/docs from its own static files (no CDN, so the CSP and networks in China allow it)
    "zhidu.core",
    "zhidu.org",
    "zhidu.policies",
    "zhidu.customers",
    "zhidu.groups",
    "zhidu.compliance",
    "zhidu.sales",
    "zhidu.performance",
    "zhidu.discipline",
    "zhidu.work",
    "zhidu.wecom",
    "zhidu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhidu.org.middleware.CurrentMemberMiddleware",
    "zhidu.org.middleware.NotFoundMiddleware",
    "zhidu.web.csp.ContentSecurityPolicyMiddleware",
]

if PRODUCTION:  # serve collected static files without a separate web server
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "zhidu.urls"
WSGI_APPLICATION = "zhidu.wsgi.application"

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
                "zhidu.web.context.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    except Exception as exc:  # dj_database_url raises several kinds
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "zhidu.sqlite3")),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif ZHIDU_ENV == "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Results are kept only by tasks that ask for them (the regulation parse a request waits for), on the broker.
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic work: Celery beat in production, `zhidu scheduler` in the embedded default.
CELERY_BEAT_SCHEDULE = {
    # Meetings: remind participants before the start, and organizers whose minutes are overdue (each once).
    "work-meeting-reminders": {
        "task": "zhidu.work.meetings_tasks.meeting_reminders_task",
        "schedule": env_int("WORK_MEETING_REMIND_SECONDS", 300),
    },
    "archive-pull": {
        "task": "zhidu.compliance.tasks.archive_pull_task",
        "schedule": env_int("ARCHIVE_PULL_SECONDS", 60),
    },
    "group-rules-announce": {
        "task": "zhidu.groups.tasks.rules_announce_task",
        "schedule": env_int("RULES_ANNOUNCE_SECONDS", 3600),
    },
    "outbox-flush": {"task": "zhidu.wecom.tasks.outbox_flush_task", "schedule": env_int("OUTBOX_FLUSH_SECONDS", 30)},
    # Domain event handlers that failed (or whose dispatch was lost) run again here.
    "events-retry": {"task": "zhidu.core.tasks.events_retry_task", "schedule": env_int("EVENTS_RETRY_SECONDS", 30)},
    # Regulations announced ahead take force on their effective date (idempotent; hourly is plenty).
    "policy-effective-dates": {"task": "zhidu.policies.tasks.policy_effective_dates_task", "schedule": 3600},
    # A full sync repairs whatever a lost callback left behind.
    # Customer transfers: send what is queued, poll WeCom's transfer_result until every customer is resolved.
    "transfer-poll": {
        "task": "zhidu.wecom.tasks.transfer_poll_task",
        "schedule": env_int("TRANSFER_POLL_SECONDS", 300),
    },
    "wecom-full-sync": {"task": "zhidu.wecom.tasks.sync_task", "schedule": env_int("WECOM_SYNC_SECONDS", 86400)},
    # Follow-up reminders (overdue next actions, silent customers); idempotent, so hourly is plenty.
    "followup-reminders": {
        "task": "zhidu.customers.tasks.followup_reminders_task",
        "schedule": env_int("FOLLOWUP_REMINDER_SECONDS", 3600),
    },
    # Targets behind pace ask their owners for a corrective plan (idempotent per node and period).
    "target-pace": {
        "task": "zhidu.sales.targets_tasks.target_pace_task",
        "schedule": env_int("TARGET_PACE_SECONDS", 3600),
    },
    # Account profiles (S8 第十条): a batch of members' user/get compared with the approved profiles.
    "profile-check": {
        "task": "zhidu.wecom.tasks.profile_check_task",
        "schedule": env_int("PROFILE_CHECK_SECONDS", 600),
    },
    # Group conventions (names, nicknames, admins) of every group; the sync also checks the groups it wrote.
    "group-conventions": {
        "task": "zhidu.groups.tasks.conventions_check_task",
        "schedule": env_int("GROUP_CONVENTION_CHECK_SECONDS", 3600),
    },
    # Reply deadlines pass without any new message: check them (late replies, escalations, internal questions).
    "reply-deadlines": {
        "task": "zhidu.compliance.tasks.reply_deadlines_task",
        "schedule": env_int("REPLY_DEADLINE_CHECK_SECONDS", 300),
    },
    # Performance: freeze finished periods' rankings once, recompute current scorecards (idempotent).
    "performance-tick": {
        "task": "zhidu.performance.tasks.performance_tick_task",
        "schedule": env_int("PERFORMANCE_TICK_SECONDS", 3600),
    },
    # WeCom's own reply statistics (get_user_behavior_data), stored per member and day for the reply dashboard.
    "wecom-behavior": {
        "task": "zhidu.wecom.tasks.behavior_sync_task",
        "schedule": env_int("WECOM_BEHAVIOR_SYNC_SECONDS", 21600),
    },
    # Tasks: past-due ones become overdue (assignees told once, the creator once after WORK_TASK_ESCALATE_HOURS);
    # recurring tasks get their next occurrence. Idempotent.
    "work-task-check": {
        "task": "zhidu.work.tasks_tasks.task_check_task",
        "schedule": env_int("WORK_TASK_CHECK_SECONDS", 900),
    },
    # Periodic reports: remind members whose report is past due, and their lead once (idempotent).
    "work-report-reminders": {
        "task": "zhidu.work.reports_tasks.report_reminders_task",
        "schedule": env_int("WORK_REPORT_REMIND_SECONDS", 1800),
    },
}
# Plans and tasks (work app): attachment limits, escalation delay, list sizes.
WORK_ATTACHMENT_MAX_BYTES = env_int("WORK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
WORK_TASK_ATTACHMENTS_MAX = env_int("WORK_TASK_ATTACHMENTS_MAX", 10)
WORK_TASK_CHECKLIST_MAX = env_int("WORK_TASK_CHECKLIST_MAX", 50)
WORK_TASK_ESCALATE_HOURS = env_int("WORK_TASK_ESCALATE_HOURS", 24)
# A task is due at most this many days ahead (a far-off date would break every page that shows it).
WORK_TASK_DUE_MAX_DAYS = env_int("WORK_TASK_DUE_MAX_DAYS", 3660)
WORK_TASK_PAGE_SIZE = env_int("WORK_TASK_PAGE_SIZE", 50)
WORK_BOARD_COLUMN_MAX = env_int("WORK_BOARD_COLUMN_MAX", 30)
# My work: reports due and upcoming meetings listed (each list; the full lists are on their own pages).
WORK_MY_WORK_SHOWN = env_int("WORK_MY_WORK_SHOWN", 5)
# Members whose WeCom profile one "profile-check" run reads (user/get each); with the defaults 3,000 members
# are all looked at every 5 hours (3000 / 100 runs × 600 s). Members an update_user callback marked go first.
PROFILE_CHECK_BATCH = env_int("PROFILE_CHECK_BATCH", 100)

AUTHENTICATION_BACKENDS = [
    "zhidu.org.backends.ThrottledModelBackend",  # password login behind the brute-force throttle
    "zhidu.org.backends.AdminRoleBackend",  # /admin/: the admin role gets the configuration models only
]
# Brute-force protection (cache-backed, see zhidu/org/throttle.py): after this many failed sign-ins for one
# login name, or from one address, sign-in is refused for LOGIN_LOCKOUT_SECONDS after the last failure.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
# Anonymous membership applications per client address and window.
APPLICATION_RATE_LIMIT = env_int("APPLICATION_RATE_LIMIT", 10)
APPLICATION_RATE_WINDOW = env_int("APPLICATION_RATE_WINDOW", 3600)
# Behind a reverse proxy, the request.META key holding the client address (e.g. HTTP_X_REAL_IP or
# HTTP_X_FORWARDED_FOR, last entry used); empty: REMOTE_ADDR.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")
for _name in (
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "LOGIN_LOCKOUT_SECONDS",
    "APPLICATION_RATE_LIMIT",
    "APPLICATION_RATE_WINDOW",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be at least 1")
# /api/docs and /api/openapi.json: open to anonymous callers only outside production.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", not PRODUCTION)
# Content-Security-Policy sent with every response (zhidu/web/csp.py); empty disables the header.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
# Domain events (zhidu.core.events): a failed handler is retried after EVENTS_BACKOFF_SECONDS, doubling per
# failure up to EVENTS_BACKOFF_MAX_SECONDS; a claimed delivery is due again after EVENTS_LEASE_SECONDS if its
# worker died.
EVENTS_BACKOFF_SECONDS = env_int("EVENTS_BACKOFF_SECONDS", 30)
EVENTS_BACKOFF_MAX_SECONDS = env_int("EVENTS_BACKOFF_MAX_SECONDS", 3600)
EVENTS_LEASE_SECONDS = env_int("EVENTS_LEASE_SECONDS", 300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if ZHIDU_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "zhidu" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
# Uploaded files (task attachments) in the default storage; served only through views that check visibility.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The public URL of this zhidu (links in WeCom messages), e.g. https://zhidu.example.com
ZHIDU_BASE_URL = env_str("ZHIDU_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

# Business settings
ZHIDU_COMPANY_NAME = env_str("ZHIDU_COMPANY_NAME", "示例科技有限公司")
POLICY_NOTICE_DAYS = env_int("POLICY_NOTICE_DAYS", 7)
# The rules pages count each rule's violations over the last RULE_HITS_DAYS days.
RULE_HITS_DAYS = env_int("RULE_HITS_DAYS", 30)
# A new version of a group's rules (a regulation linked to groups) is announced to those groups this many days
# before it takes effect (robot webhook, else a task for the group owner); checked every RULES_ANNOUNCE_SECONDS.
RULES_ANNOUNCE_DAYS = env_int("RULES_ANNOUNCE_DAYS", 7)
# Citation-map suggestions for a regulation without a template: at most CITATION_SUGGEST_TOP clauses per rule,
# each scoring at least CITATION_SUGGEST_MIN_SCORE (keyword weights, see compliance/services/suggest.py).
CITATION_SUGGEST_TOP = env_int("CITATION_SUGGEST_TOP", 3)
CITATION_SUGGEST_MIN_SCORE = float(env_str("CITATION_SUGGEST_MIN_SCORE", "2.0"))
# Customer transfers (在职转接, 离职继承): at most TRANSFER_BATCH_MAX customers and groups per transfer; an on-job
# transfer of a customer already transferred TRANSFER_ONJOB_LIMIT times in TRANSFER_ONJOB_WINDOW_DAYS days is not
# sent (WeCom answers 40128: 2 per 90 days); open transfers are polled every TRANSFER_POLL_SECONDS.
TRANSFER_BATCH_MAX = env_int("TRANSFER_BATCH_MAX", 1000)
# Reply timeliness (working minutes under the responsible member's department calendar): a customer's message not
# answered within REPLY_SLA_MINUTES is a late reply (a violation, the member is notified); REPLY_ESCALATE_MINUTES
# later still unanswered, the member's supervisor is told. A question in an internal group nobody answers within
# INTERNAL_QUESTION_MINUTES is flagged to the group's admins. The periodic deadline check only looks at deadlines
# older than REPLY_ARCHIVE_LAG_SECONDS (the archive arrives with a delay; a reply may still be on its way).
REPLY_SLA_MINUTES = env_int("REPLY_SLA_MINUTES", 30)
REPLY_ESCALATE_MINUTES = env_int("REPLY_ESCALATE_MINUTES", 60)
INTERNAL_QUESTION_MINUTES = env_int("INTERNAL_QUESTION_MINUTES", 60)
REPLY_ARCHIVE_LAG_SECONDS = env_int("REPLY_ARCHIVE_LAG_SECONDS", 300)
# Days of WeCom's get_user_behavior_data fetched per run (the API serves at most 30 days, 180 days back).
WECOM_BEHAVIOR_DAYS = env_int("WECOM_BEHAVIOR_DAYS", 7)
TRANSFER_ONJOB_LIMIT = env_int("TRANSFER_ONJOB_LIMIT", 2)
TRANSFER_ONJOB_WINDOW_DAYS = env_int("TRANSFER_ONJOB_WINDOW_DAYS", 90)
# Discipline (zhidu/discipline): defaults of new sanction policies (each policy row is editable in the app) —
# the fine in yuan, the loss from which a breach is serious, the offences of one article (this one included)
# within the window that make a breach "repeated after correction"; the days a member may appeal an approved
# penalty; rewards proposed from a frozen ranking: the team's top N get a commendation, an achievement of at
# least DISCIPLINE_REWARD_ACHIEVEMENT_PERCENT a bonus of DISCIPLINE_REWARD_BONUS_YUAN.
DISCIPLINE_FINE_YUAN = env_decimal("DISCIPLINE_FINE_YUAN", "200")
DISCIPLINE_SERIOUS_LOSS_YUAN = env_decimal("DISCIPLINE_SERIOUS_LOSS_YUAN", "10000")
DISCIPLINE_REPEAT_THRESHOLD = env_int("DISCIPLINE_REPEAT_THRESHOLD", 3)
DISCIPLINE_REPEAT_WINDOW_DAYS = env_int("DISCIPLINE_REPEAT_WINDOW_DAYS", 180)
DISCIPLINE_APPEAL_DAYS = env_int("DISCIPLINE_APPEAL_DAYS", 7)
DISCIPLINE_REWARD_TOP_N = env_int("DISCIPLINE_REWARD_TOP_N", 3)
DISCIPLINE_REWARD_ACHIEVEMENT_PERCENT = env_decimal("DISCIPLINE_REWARD_ACHIEVEMENT_PERCENT", "120")
DISCIPLINE_REWARD_BONUS_YUAN = env_decimal("DISCIPLINE_REWARD_BONUS_YUAN", "500")
# An accepted named suggestion (work: suggestion box) proposes a commendation for its author (anonymous ones never:
# the proposal would name the author to their lead).
DISCIPLINE_REWARD_SUGGESTIONS = env_bool("DISCIPLINE_REWARD_SUGGESTIONS", True)
# Periodic reports (work): the default hour (company time) a new template's report is due on the first working day
# after its period (a daily report the next working day, a weekly one the Monday after, a monthly one the 1st).
WORK_REPORT_DUE_HOUR_DAILY = env_int("WORK_REPORT_DUE_HOUR_DAILY", 10)
WORK_REPORT_DUE_HOUR_WEEKLY = env_int("WORK_REPORT_DUE_HOUR_WEEKLY", 12)
WORK_REPORT_DUE_HOUR_MONTHLY = env_int("WORK_REPORT_DUE_HOUR_MONTHLY", 12)
WORK_REPORT_PAGE_SIZE = env_int("WORK_REPORT_PAGE_SIZE", 50)  # reports per page (history, inbox, completeness)
WORK_REPORT_SECTIONS_MAX = env_int("WORK_REPORT_SECTIONS_MAX", 10)  # sections per report template
WORK_REPORT_TEXT_MAX = env_int("WORK_REPORT_TEXT_MAX", 2000)  # characters per section and per comment
WORK_REPORT_DUE_SHOWN = env_int("WORK_REPORT_DUE_SHOWN", 6)  # reports to write now listed on my reports page
DISCIPLINE_PAGE_SIZE = env_int("DISCIPLINE_PAGE_SIZE", 50)
DISCIPLINE_EXPORT_MAX_ROWS = env_int("DISCIPLINE_EXPORT_MAX_ROWS", 20000)
# Customer development (zhidu/customers/development): a follow relation with no follow-up and no chat for
# FOLLOWUP_STALE_DAYS (or whose next-action date has passed) reminds its owner; FOLLOWUP_ESCALATE_DAYS later
# the owner's supervisor. The customer page shows the last CUSTOMER_TIMELINE_MESSAGES archived chat messages;
# exports stop at CUSTOMER_EXPORT_MAX_ROWS rows, follow-up imports refuse more than CUSTOMER_IMPORT_MAX_ROWS.
FOLLOWUP_STALE_DAYS = env_int("FOLLOWUP_STALE_DAYS", 7)
FOLLOWUP_ESCALATE_DAYS = env_int("FOLLOWUP_ESCALATE_DAYS", 3)
CUSTOMER_TIMELINE_MESSAGES = env_int("CUSTOMER_TIMELINE_MESSAGES", 50)
CUSTOMER_LIST_PAGE_SIZE = env_int("CUSTOMER_LIST_PAGE_SIZE", 50)
CUSTOMER_EXPORT_MAX_ROWS = env_int("CUSTOMER_EXPORT_MAX_ROWS", 20000)
CUSTOMER_IMPORT_MAX_ROWS = env_int("CUSTOMER_IMPORT_MAX_ROWS", 2000)
# Group conventions (zhidu/groups/conventions.py): a reminder for one convention issue is sent at most once per
# GROUP_CONVENTION_REMIND_HOURS; checks run over GROUP_CONVENTION_CHECK_BATCH groups per transaction; the
# conventions overview and a group's issue list show GROUP_CONVENTION_PAGE_SIZE rows per page.
GROUP_CONVENTION_REMIND_HOURS = env_int("GROUP_CONVENTION_REMIND_HOURS", 24)
GROUP_CONVENTION_CHECK_BATCH = env_int("GROUP_CONVENTION_CHECK_BATCH", 500)
GROUP_CONVENTION_PAGE_SIZE = env_int("GROUP_CONVENTION_PAGE_SIZE", 50)
for _name in (
    "FOLLOWUP_STALE_DAYS",
    "FOLLOWUP_ESCALATE_DAYS",
    "CUSTOMER_TIMELINE_MESSAGES",
    "CUSTOMER_LIST_PAGE_SIZE",
    "CUSTOMER_EXPORT_MAX_ROWS",
    "CUSTOMER_IMPORT_MAX_ROWS",
    "GROUP_CONVENTION_CHECK_BATCH",
    "GROUP_CONVENTION_PAGE_SIZE",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be at least 1")
# The chat price check (compliance/engine/price_policy.py): quotes in a clause with one of PRICE_CHECK_ALLOW
# (official promotions, comma-separated) are not checked; an amount below PRICE_CHECK_MIN_SHARE of a product's
# list price is not read as its price (a deposit, a fee); a quote naming no product is read against the products
# the member sold in the last PRICE_CHECK_MEMBER_DAYS days (none: no finding).
PRICE_CHECK_ALLOW = env_list("PRICE_CHECK_ALLOW", "公司活动价,官方活动价,官网活动价,统一活动价")
PRICE_CHECK_MIN_SHARE = env_decimal("PRICE_CHECK_MIN_SHARE", "0.3")
PRICE_CHECK_MEMBER_DAYS = env_int("PRICE_CHECK_MEMBER_DAYS", 365)
# Group order (compliance/behaviour/flood.py): FLOOD_MESSAGES messages of one sender in one group within
# FLOOD_SECONDS are a flood; the same text (width, case and spaces ignored) REPEAT_MESSAGES times within
# REPEAT_SECONDS a repeat. Each burst is reported once. Messages a participant sends during a meeting or training
# of a department that flags them (org calendar) are reported from MEETING_GRACE_MINUTES after its start.
FLOOD_MESSAGES = env_int("FLOOD_MESSAGES", 10)
FLOOD_SECONDS = env_int("FLOOD_SECONDS", 30)
REPEAT_MESSAGES = env_int("REPEAT_MESSAGES", 3)
REPEAT_SECONDS = env_int("REPEAT_SECONDS", 300)
MEETING_GRACE_MINUTES = env_int("MEETING_GRACE_MINUTES", 5)
CALENDAR_IMPORT_MAX_ROWS = env_int("CALENDAR_IMPORT_MAX_ROWS", 500)
for _name in ("FLOOD_MESSAGES", "REPEAT_MESSAGES"):
    if globals()[_name] < 2:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be at least 2")
for _name in ("FLOOD_SECONDS", "REPEAT_SECONDS", "CALENDAR_IMPORT_MAX_ROWS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be at least 1")
if MEETING_GRACE_MINUTES < 0:
    raise ImproperlyConfigured(f"MEETING_GRACE_MINUTES={MEETING_GRACE_MINUTES} must be at least 0")


# Sales discount authority (percent off the list price) each role may grant when a price policy leaves it blank
# (S8 第二十二条: salespeople grant none by default). Below a policy's floor price only the director approves.
def _env_percent(name: str, default: str) -> Decimal:
    raw = env_str(name, default).strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ImproperlyConfigured(f"{name}={raw!r} must be a percentage from 0 to 100")
    return value


SALES_DISCOUNT_DEFAULTS = {
    "sales": _env_percent("SALES_MAX_DISCOUNT_SALES", "0"),
    "supervisor": _env_percent("SALES_MAX_DISCOUNT_SUPERVISOR", "5"),
    "manager": _env_percent("SALES_MAX_DISCOUNT_MANAGER", "10"),
    "director": _env_percent("SALES_MAX_DISCOUNT_DIRECTOR", "20"),
}
# Orders: at most SALES_ORDER_MAX_LINES product lines and SALES_ORDER_MAX_CREDITS credit shares per order;
# order lists show SALES_ORDER_PAGE_SIZE orders per page.
SALES_ORDER_MAX_LINES = env_int("SALES_ORDER_MAX_LINES", 50)
SALES_ORDER_MAX_CREDITS = env_int("SALES_ORDER_MAX_CREDITS", 10)
SALES_ORDER_PAGE_SIZE = env_int("SALES_ORDER_PAGE_SIZE", 50)
# Targets: a node whose achievement is more than TARGET_PACE_MARGIN percentage points below the share of the
# period already elapsed is behind pace, and its owner is asked for a corrective plan (once per node and period).
TARGET_PACE_MARGIN = env_int("TARGET_PACE_MARGIN", 10)
# Performance: scorecards show up to PERFORMANCE_RECORD_LINKS records behind each line (orders, violations);
# ranking pages list PERFORMANCE_RANKING_PAGE_SIZE rows per page and chart the last PERFORMANCE_HISTORY_PERIODS
# frozen periods for up to PERFORMANCE_CHART_MEMBERS members. The periodic job (every PERFORMANCE_TICK_SECONDS)
# freezes each finished period's rankings once and recomputes the current periods' scorecards.
PERFORMANCE_RECORD_LINKS = env_int("PERFORMANCE_RECORD_LINKS", 20)
PERFORMANCE_RANKING_PAGE_SIZE = env_int("PERFORMANCE_RANKING_PAGE_SIZE", 100)
PERFORMANCE_HISTORY_PERIODS = env_int("PERFORMANCE_HISTORY_PERIODS", 12)
PERFORMANCE_CHART_MEMBERS = env_int("PERFORMANCE_CHART_MEMBERS", 10)
# Excel imports of a target tree are refused beyond this many rows.
TARGET_IMPORT_MAX_ROWS = env_int("TARGET_IMPORT_MAX_ROWS", 5000)
# Regulation imports (.docx is a zip: a small upload can inflate enormously). Refused before parsing when the
# unzipped parts add up to more than POLICY_IMPORT_MAX_UNZIPPED_MB, inflate more than POLICY_IMPORT_MAX_ZIP_RATIO
# times, or hold more than POLICY_IMPORT_MAX_PARAGRAPHS paragraphs; with a broker, parsing runs in a worker
# stopped after POLICY_IMPORT_TIME_LIMIT seconds.
POLICY_IMPORT_MAX_UNZIPPED_MB = env_int("POLICY_IMPORT_MAX_UNZIPPED_MB", 50)
POLICY_IMPORT_MAX_ZIP_RATIO = env_int("POLICY_IMPORT_MAX_ZIP_RATIO", 100)
POLICY_IMPORT_MAX_PARAGRAPHS = env_int("POLICY_IMPORT_MAX_PARAGRAPHS", 10000)
POLICY_IMPORT_TIME_LIMIT = env_int("POLICY_IMPORT_TIME_LIMIT", 60)

# WeCom (see docs/wecom.md). Secrets only from the environment.
WECOM_API_BASE = env_str("WECOM_API_BASE", "https://qyapi.weixin.qq.com")
WECOM_CORP_ID = env_str("WECOM_CORP_ID")
WECOM_CONTACT_SECRET = env_secret("WECOM_CONTACT_SECRET")
WECOM_CUSTOMER_SECRET = env_secret("WECOM_CUSTOMER_SECRET")
WECOM_APP_SECRET = env_secret("WECOM_APP_SECRET")
WECOM_AGENT_ID = env_int("WECOM_AGENT_ID", 0)
WECOM_ARCHIVE_SECRET = env_secret("WECOM_ARCHIVE_SECRET")
WECOM_TOKEN = env_secret("WECOM_TOKEN")
WECOM_ENCODING_AES_KEY = env_secret("WECOM_ENCODING_AES_KEY")
# POSTed callbacks: refused when the envelope's signed timestamp is further than this from now (replays), or the
# body is larger than WECOM_CALLBACK_MAX_BYTES.
WECOM_CALLBACK_MAX_AGE_SECONDS = env_int("WECOM_CALLBACK_MAX_AGE_SECONDS", 300)
WECOM_CALLBACK_MAX_BYTES = env_int("WECOM_CALLBACK_MAX_BYTES", 1024 * 1024)
# Chat archive: private keys by publickey_ver (JSON: version -> PEM text or file path), the Finance SDK
# library (production), and which source to pull from ("sdk" or "simulator").
WECOM_ARCHIVE_PRIVATE_KEYS = env_secret("WECOM_ARCHIVE_PRIVATE_KEYS")
WECOM_FINANCE_SDK_PATH = env_str("WECOM_FINANCE_SDK_PATH")
WECOM_ARCHIVE_SOURCE = env_str("WECOM_ARCHIVE_SOURCE")
if WECOM_ARCHIVE_SOURCE not in {"", "sdk", "simulator"}:
    raise ImproperlyConfigured(f"WECOM_ARCHIVE_SOURCE={WECOM_ARCHIVE_SOURCE!r} must be sdk or simulator")
ARCHIVE_AGREE_TTL_HOURS = env_int("ARCHIVE_AGREE_TTL_HOURS", 24)
# Internal groups (内部群) found in the archive: room ids looked up per archive batch, and how long a refused
# room id (a customer group not synced yet) is left alone.
WECOM_ROOMS_PER_RUN = env_int("WECOM_ROOMS_PER_RUN", 200)
WECOM_ROOM_RECHECK_SECONDS = env_int("WECOM_ROOM_RECHECK_SECONDS", 3600)
# Groups (customer and internal) per page of the group list.
GROUP_LIST_PAGE_SIZE = env_int("GROUP_LIST_PAGE_SIZE", 50)
for _name in ("WECOM_ROOMS_PER_RUN", "GROUP_LIST_PAGE_SIZE"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name}={globals()[_name]} must be at least 1")
ARCHIVE_DECRYPT_WORKERS = env_int("ARCHIVE_DECRYPT_WORKERS", 0)
# Client retry policy on -1 / 45009 / 45033 (bounded exponential back-off).
WECOM_MAX_TRIES = env_int("WECOM_MAX_TRIES", 4)
WECOM_BACKOFF_BASE = float(env_str("WECOM_BACKOFF_BASE", "1.0") or "1.0")
WECOM_BACKOFF_MAX = float(env_str("WECOM_BACKOFF_MAX", "30") or "30")

# Work: meetings (会议). Participants are reminded this many minutes before the start; the organizer is reminded
# once if the minutes are still missing this many hours after the end (only meetings ended within the lookback).
WORK_MEETING_REMIND_MINUTES = env_int("WORK_MEETING_REMIND_MINUTES", 30)
WORK_MINUTES_DUE_HOURS = env_int("WORK_MINUTES_DUE_HOURS", 24)
WORK_MINUTES_LOOKBACK_DAYS = env_int("WORK_MINUTES_LOOKBACK_DAYS", 7)
# Meetings one reminder run looks at, per kind of reminder; the rest wait for the next run (none is looked at twice).
WORK_MEETING_REMIND_BATCH = env_int("WORK_MEETING_REMIND_BATCH", 1000)
WORK_MEETINGS_PAGE_SIZE = env_int("WORK_MEETINGS_PAGE_SIZE", 30)
WORK_MEETING_MAX_PARTICIPANTS = env_int("WORK_MEETING_MAX_PARTICIPANTS", 200)
WORK_MEETING_MAX_HOURS = env_int("WORK_MEETING_MAX_HOURS", 12)
WORK_MEETING_AHEAD_MAX_DAYS = env_int("WORK_MEETING_AHEAD_MAX_DAYS", 366)  # a meeting starts at most this far ahead
# The iCalendar feed (.ics) holds a member's meetings and sessions from this many days back to this many ahead.
WORK_ICS_PAST_DAYS = env_int("WORK_ICS_PAST_DAYS", 30)
WORK_ICS_FUTURE_DAYS = env_int("WORK_ICS_FUTURE_DAYS", 90)
WORK_ICS_MAX_EVENTS = env_int("WORK_ICS_MAX_EVENTS", 500)

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct ones")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

# Work: the experience library (经验分享 / 话术库) and cases
WORK_LIBRARY_PAGE_SIZE = env_int("WORK_LIBRARY_PAGE_SIZE", 30)
WORK_LIBRARY_SEARCH_GRAMS = env_int("WORK_LIBRARY_SEARCH_GRAMS", 12)
WORK_LIBRARY_USES_PER_DAY = env_int("WORK_LIBRARY_USES_PER_DAY", 3)
WORK_LIBRARY_BODY_MAX = env_int("WORK_LIBRARY_BODY_MAX", 5000)
WORK_LIBRARY_TAGS_MAX = env_int("WORK_LIBRARY_TAGS_MAX", 8)
WORK_LIBRARY_CASE_DAYS = env_int("WORK_LIBRARY_CASE_DAYS", 30)
WORK_LIBRARY_CASE_CHATS = env_int("WORK_LIBRARY_CASE_CHATS", 50)
WORK_LIBRARY_CASE_MESSAGES = env_int("WORK_LIBRARY_CASE_MESSAGES", 200)
WORK_LIBRARY_CASE_MAX_LINES = env_int("WORK_LIBRARY_CASE_MAX_LINES", 40)
WORK_LIBRARY_CASE_MEMBERS = env_int("WORK_LIBRARY_CASE_MEMBERS", 200)
WORK_LIBRARY_SIDEBAR_MAX = env_int("WORK_LIBRARY_SIDEBAR_MAX", 50)
