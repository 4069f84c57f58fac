"""Settings read from the environment, once, in one place.

Outside development and test the app refuses to start with the built-in default secret,
so a forgotten variable cannot ship a guessable signing key.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from backend.sso.settings import SsoSettings, load_sso_settings

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "linli-development-secret-do-not-use-in-production"  # noqa: S105
ENVIRONMENTS = ("development", "test", "production")
# Abuse limits: name → (count, seconds). Override one with LINLI_RATE_<NAME>=count/seconds;
# a count of 0 switches it off. Enforced by `backend/security/limits.py`.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "otp_phone": (5, 3600),  # one-time codes texted to one phone per hour
    "otp_ip": (20, 3600),  # one-time codes requested from one address per hour
    "signin_phone": (10, 900),  # sign-in attempts for one phone per 15 minutes
    "signin_ip": (50, 900),  # sign-in attempts from one address per 15 minutes
    "order_create": (30, 3600),  # orders placed by one account per hour
    "file_upload": (60, 3600),  # photos uploaded by one account per hour
}


class SettingsError(RuntimeError):
    """The environment describes a configuration the app must not run with."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _limits() -> dict[str, tuple[int, int]]:
    limits = dict(DEFAULT_LIMITS)
    for name in limits:
        var = f"LINLI_RATE_{name.upper()}"
        raw = os.environ.get(var, "")
        if not raw:
            continue
        count, _, seconds = raw.partition("/")
        try:
            limits[name] = (int(count), int(seconds))
        except ValueError as exc:
            raise SettingsError(
                f"{var} must look like 5/3600 (count/seconds), got {raw!r}"
            ) from exc
        if limits[name][1] <= 0:
            raise SettingsError(f"{var}: the window must be at least one second")
    return limits


def _list(name: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in os.environ.get(name, "").split(",") if x.strip())


SCORE_COMPONENTS = ("ratings", "callbacks", "on_time", "complaints")


def _weights(raw: str) -> tuple[tuple[str, int], ...]:
    """`ratings=40,callbacks=30,on_time=20,complaints=10` (the default when empty)."""
    if not raw.strip():
        return Settings.score_weights
    found: dict[str, int] = {}
    for part in raw.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in SCORE_COMPONENTS or not value.strip().isdigit():
            raise SettingsError(
                f"LINLI_SCORE_WEIGHTS: expected name=integer with names {SCORE_COMPONENTS}, "
                f"got {part!r}"
            )
        found[name] = int(value)
    if sum(found.values()) <= 0:
        raise SettingsError("LINLI_SCORE_WEIGHTS must give some component a positive weight")
    return tuple((k, found.get(k, 0)) for k in SCORE_COMPONENTS)


@dataclass(frozen=True)
class TencentSmsSettings:
    """Tencent Cloud SMS (`LINLI_SMS_BACKEND=tencent`); see backend/notify/sms.py."""

    secret_id: str
    secret_key: str
    app_id: str  # SmsSdkAppId
    sign_name: str
    # our template name → [Tencent template id, parameter names in the template's order...]
    templates: dict[str, list[str]]
    region: str = "ap-guangzhou"
    endpoint: str = "https://sms.tencentcloudapi.com"


def _tencent_sms() -> TencentSmsSettings | None:
    if os.environ.get("LINLI_SMS_BACKEND") != "tencent":
        return None
    raw = os.environ.get("LINLI_TENCENT_SMS_TEMPLATES", "{}")
    try:
        templates = json.loads(raw)
        ok = isinstance(templates, dict) and all(
            isinstance(v, list) and v and all(isinstance(x, str) for x in v)
            for v in templates.values()
        )
    except ValueError:
        ok = False
    if not ok:
        raise SettingsError(
            'LINLI_TENCENT_SMS_TEMPLATES must be JSON like {"login_code": ["123456", "code"]}'
        )
    return TencentSmsSettings(
        secret_id=os.environ.get("LINLI_TENCENT_SECRET_ID", ""),
        secret_key=os.environ.get("LINLI_TENCENT_SECRET_KEY", ""),
        app_id=os.environ.get("LINLI_TENCENT_SMS_APP_ID", ""),
        sign_name=os.environ.get("LINLI_TENCENT_SMS_SIGN", ""),
        templates=templates,
        region=os.environ.get("LINLI_TENCENT_SMS_REGION", "ap-guangzhou"),
        endpoint=os.environ.get("LINLI_TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com"),
    )


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{ROOT / 'var' / 'linli.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the URLs operators paste (postgres://, postgresql://) and pick the async driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = field(default_factory=default_database_url)
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    access_token_minutes: int = 10
    refresh_token_days: int = 30
    otp_minutes: int = 5
    otp_max_attempts: int = 5
    otp_resend_seconds: int = 60
    sms_backend: str = "console"
    sms_webhook_url: str = ""
    tencent_sms: TencentSmsSettings | None = None
    pwa_dist: Path = ROOT / "pwa" / "dist"
    jobs_enabled: bool = True
    jobs_interval_seconds: float = 30.0
    due_soon_minutes: int = 60
    score_weights: tuple[tuple[str, int], ...] = (
        ("ratings", 40),
        ("callbacks", 30),
        ("on_time", 20),
        ("complaints", 10),
    )
    score_min_sample: int = 10
    sso: SsoSettings = field(default_factory=SsoSettings)
    redis_url: str = ""
    rate_limits: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    cors_origins: tuple[str, ...] = ()
    files_backend: str = "local"
    files_dir: Path = ROOT / "var" / "files"
    s3_bucket: str = ""
    s3_endpoint: str = ""
    s3_region: str = ""
    log_format: str = "json"
    log_level: str = "INFO"
    server: str = "granian"
    workers: int = 1
    shutdown_seconds: int = 20
    max_connections: int = 20_000
    metrics_token: str = ""
    events_backend: str = "auto"
    events_replay_minutes: int = 10
    sse_heartbeat_seconds: int = 15
    sse_queue_size: int = 200
    db_idle_transaction_seconds: int = 15

    @property
    def events_transport(self) -> str:
        """How live events cross processes: `memory` (one process), `postgres` or `redis`."""
        if self.events_backend != "auto":
            return self.events_backend
        return "memory" if self.is_sqlite else "postgres"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def debug(self) -> bool:
        return self.env == "development"


def load_settings() -> Settings:
    env = os.environ.get("LINLI_ENV", "development")
    if env not in ENVIRONMENTS:
        raise SettingsError(f"LINLI_ENV must be one of {ENVIRONMENTS}, got {env!r}")
    settings = Settings(
        env=env,
        database_url=normalise_database_url(
            os.environ.get("DATABASE_URL") or default_database_url()
        ),
        secret_key=os.environ.get("LINLI_SECRET_KEY") or DEV_SECRET,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=_int("PORT", 8000),
        access_token_minutes=_int("LINLI_ACCESS_TOKEN_MINUTES", 10),
        refresh_token_days=_int("LINLI_REFRESH_TOKEN_DAYS", 30),
        sms_backend=os.environ.get("LINLI_SMS_BACKEND", "console"),
        sms_webhook_url=os.environ.get("LINLI_SMS_WEBHOOK_URL", ""),
        tencent_sms=_tencent_sms(),
        jobs_enabled=os.environ.get("LINLI_JOBS", "on").lower() not in ("off", "0", "false", "no"),
        jobs_interval_seconds=float(_int("LINLI_JOBS_INTERVAL", 30)),
        due_soon_minutes=_int("LINLI_DUE_SOON_MINUTES", 60),
        sso=load_sso_settings(),
        redis_url=os.environ.get("LINLI_REDIS_URL", ""),
        rate_limits=_limits(),
        cors_origins=_list("LINLI_CORS_ORIGINS"),
        files_backend=os.environ.get("LINLI_FILES_BACKEND", "local"),
        files_dir=Path(os.environ.get("LINLI_FILES_DIR") or ROOT / "var" / "files"),
        s3_bucket=os.environ.get("LINLI_S3_BUCKET", ""),
        s3_endpoint=os.environ.get("LINLI_S3_ENDPOINT", ""),
        s3_region=os.environ.get("LINLI_S3_REGION", ""),
        log_format=os.environ.get("LINLI_LOG_FORMAT", "json"),
        log_level=os.environ.get("LINLI_LOG_LEVEL", "INFO").upper(),
        server=os.environ.get("LINLI_SERVER", "granian"),
        workers=_int("LINLI_WORKERS", 1),
        shutdown_seconds=_int("LINLI_SHUTDOWN_SECONDS", 20),
        max_connections=_int("LINLI_MAX_CONNECTIONS", 20_000),
        metrics_token=os.environ.get("LINLI_METRICS_TOKEN", ""),
        events_backend=os.environ.get("LINLI_EVENTS_BACKEND") or "auto",
        events_replay_minutes=_int("LINLI_EVENTS_REPLAY_MINUTES", 10),
        sse_heartbeat_seconds=_int("LINLI_SSE_HEARTBEAT_SECONDS", 15),
        sse_queue_size=_int("LINLI_SSE_QUEUE_SIZE", 200),
        db_idle_transaction_seconds=_int("LINLI_DB_IDLE_TRANSACTION_SECONDS", 15),
    )
    if settings.db_idle_transaction_seconds < 0:
        raise SettingsError("LINLI_DB_IDLE_TRANSACTION_SECONDS must be 0 (off) or more")
    if settings.files_backend not in ("local", "s3"):
        raise SettingsError("LINLI_FILES_BACKEND must be 'local' or 's3'")
    if settings.files_backend == "s3" and not settings.s3_bucket:
        raise SettingsError("LINLI_FILES_BACKEND=s3 needs LINLI_S3_BUCKET")
    if settings.server not in ("granian", "uvicorn"):
        raise SettingsError("LINLI_SERVER must be 'granian' or 'uvicorn'")
    if settings.log_format not in ("json", "text"):
        raise SettingsError("LINLI_LOG_FORMAT must be 'json' or 'text'")
    if settings.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError("LINLI_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
    if settings.events_backend not in ("auto", "memory", "postgres", "redis"):
        raise SettingsError("LINLI_EVENTS_BACKEND must be auto, memory, postgres or redis")
    if settings.events_transport == "postgres" and settings.is_sqlite:
        raise SettingsError("LINLI_EVENTS_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
    if settings.events_transport == "redis" and not settings.redis_url:
        raise SettingsError("LINLI_EVENTS_BACKEND=redis needs LINLI_REDIS_URL")
    if settings.sms_backend not in ("console", "webhook", "tencent"):
        raise SettingsError("LINLI_SMS_BACKEND must be 'console', 'webhook' or 'tencent'")
    tencent = settings.tencent_sms
    if tencent is not None:
        needed = {
            "LINLI_TENCENT_SECRET_ID": tencent.secret_id,
            "LINLI_TENCENT_SECRET_KEY": tencent.secret_key,
            "LINLI_TENCENT_SMS_APP_ID": tencent.app_id,
            "LINLI_TENCENT_SMS_SIGN": tencent.sign_name,
        }
        if missing := [name for name, value in needed.items() if not value]:
            raise SettingsError(f"LINLI_SMS_BACKEND=tencent needs {', '.join(missing)}")
        if "login_code" not in tencent.templates:  # sign-in codes must always go out
            raise SettingsError("LINLI_TENCENT_SMS_TEMPLATES needs a login_code template")
    if settings.sms_backend == "webhook" and not settings.sms_webhook_url:
        raise SettingsError("LINLI_SMS_BACKEND=webhook needs LINLI_SMS_WEBHOOK_URL")
    if env == "production":
        if settings.secret_key == DEV_SECRET or len(settings.secret_key) < 32:
            raise SettingsError(
                "LINLI_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (e.g. `linli secret`)"
            )
        if settings.sms_backend == "console":
            raise SettingsError(
                "LINLI_SMS_BACKEND=console prints codes to the log; "
                "set LINLI_SMS_BACKEND=tencent (or webhook) in production"
            )
    return settings
