"""fundtracker: village project funds for a county."""
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from . import formatting, money
from .config import load_config
from .database import init_engine
from .errors import configure_logging, register_error_handlers
from .extensions import babel, csrf, db, login_manager, migrate
from .i18n import select_locale
from .security import register_input_checks, register_security_headers

ROOT = Path(__file__).resolve().parent.parent
# Every domain, in layer order (lowest first): each one's init_app(app) registers its blueprint
# and connects its handlers to the extension points of the layers below (see signals.py).
DOMAINS = (
    "fundtracker.auth",
    "fundtracker.main",
    "fundtracker.admin",
    "fundtracker.pools",
    "fundtracker.projects",
    "fundtracker.vetting",
    "fundtracker.disbursements",
    "fundtracker.monitoring",
    "fundtracker.returns",
    "fundtracker.acceptance",
    "fundtracker.evaluation",
    "fundtracker.public",
    "fundtracker.dashboard",
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _trust_proxies(app)

    _register_core_tables()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    init_engine(app)
    configure_logging(app)

    _init_domains(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_input_checks(app)
    _register_template_helpers(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _trust_proxies(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies < 0:
        raise ValueError("TRUSTED_PROXY_COUNT is the number of proxies in front of the app: 0 or more")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)


def _register_core_tables() -> None:
    """The core's tables; each domain's init_app registers its own (Alembic sees them all)."""
    from .audit import models as audit_models  # noqa: F401
    from .auth import models as auth_models  # noqa: F401
    from .geo import models as geo_models  # noqa: F401
    from . import idempotency  # noqa: F401


class DatabaseIntegerConverter(IntegerConverter):
    """<int:…> in every route stops at the largest id the databases store: a longer number is a 404,
    not an overflow in the driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _init_domains(app: Flask) -> None:
    from importlib import import_module

    app.url_map.converters["int"] = DatabaseIntegerConverter
    for package in DOMAINS:
        import_module(package).init_app(app)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from .auth.access import name_shown_to
    from .navigation import navigation_for

    app.jinja_env.filters.update(
        shown_name=lambda person: name_shown_to(current_user, person),
        fen=money.format_fen,
        wan=money.format_wan,
        yuan_text=money.fen_to_yuan_text,
        rate=money.format_rate,
        datetime=formatting.local_datetime,
        date=formatting.local_date,
        translated=formatting.translated,
        error_messages=formatting.error_messages,
    )

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(get_locale()), "navigation_for": navigation_for}
