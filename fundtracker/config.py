"""Configuration defaults; the environment overrides them."""
import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms hand out postgres:// URLs; we speak psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    return "sqlite:///" + str(Path(instance_path) / "fundtracker.sqlite3")


def load_config(app, test_config: dict | None) -> None:
    env_flag = lambda name, default: os.environ.get(name, default).lower() in ("1", "true", "yes")
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=_database_url(app.instance_path),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SQLITE_BUSY_TIMEOUT_MS=int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000")),
        SQLITE_CACHE_MIB=max(0, int(os.environ.get("SQLITE_CACHE_MIB", "64"))),
        SQLITE_MMAP_MIB=max(0, int(os.environ.get("SQLITE_MMAP_MIB", "1024"))),
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env_flag("SESSION_COOKIE_SECURE", "false"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=env_flag("SESSION_COOKIE_SECURE", "false"),
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        MAX_CONTENT_LENGTH=int(os.environ.get("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024))),
        PASSWORD_HASH_METHOD="scrypt",
        LOGIN_MAX_FAILURES=int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        LOGIN_LOCKOUT_MINUTES=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")),
        MAX_AMOUNT_YUAN=int(os.environ.get("MAX_AMOUNT_YUAN", str(10**10))),
        LANGUAGES=("zh", "en"),
        BABEL_DEFAULT_LOCALE="zh",
        # The county's time zone: pages and exports show local time (stored moments are UTC).
        TIMEZONE=os.environ.get("TIMEZONE", "Asia/Shanghai"),
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        PAGE_SIZE=50,
        FUTURE_DATE_TOLERANCE_DAYS=int(os.environ.get("FUTURE_DATE_TOLERANCE_DAYS", "3")),
        LOAN_MATURITY_WARNING_DAYS=90,
        # Monitoring (DESIGN.md "Red / yellow / green"): a reading within this share of a bound is yellow;
        # a tranche slipped by more than the first number of months is yellow, by more than the second red.
        MONITORING_MARGIN_PERCENT=10,
        MONITORING_DUE_SOON_DAYS=7,
        TRANCHE_SLIP_YELLOW_MONTHS=1,
        TRANCHE_SLIP_RED_MONTHS=3,
        # The county may require at least one indicator before a project's first payment.
        INDICATORS_REQUIRED_BEFORE_PAYMENT=False,
        # Returns (DESIGN.md "Returns"): the notice period of a distribution plan and the default share rules,
        # in percent of the net income (a pool may set its own).
        DISTRIBUTION_NOTICE_DAYS=10,
        DISTRIBUTION_MIN_COLLECTIVE_PERCENT=30,
        DISTRIBUTION_MIN_RISK_RESERVE_PERCENT=0,
        DISTRIBUTION_MAX_DIVIDEND_PERCENT=100,
        # Acceptance: an accepted project whose assets are not registered this many days later shows on the
        # warning board.
        ASSET_REGISTRATION_DAYS=90,
        ATTACHMENT_MAX_BYTES=int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
        UPLOAD_FOLDER=os.environ.get("UPLOAD_FOLDER", str(Path(app.instance_path) / "uploads")),
        # Reverse proxies in front of the app that append the client's address to X-Forwarded-For: with
        # 0 the header is ignored (anyone could send it); behind N proxies the address N hops back is the
        # client's (the objection limit counts it, the audit trail records it).
        TRUSTED_PROXY_COUNT=int(os.environ.get("TRUSTED_PROXY_COUNT", "0")),
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIMEZONE"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
