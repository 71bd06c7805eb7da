"""Fund pools (资金池), their append-only ledger and the commitments set aside for projects."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from .cli import verify_ledger_command, verify_statement_command
    from .demo import seed_county_pools, seed_pools
    from .loaders import POOL_VIEWERS
    from .views import bp, loans_to_watch

    app.register_blueprint(bp)
    app.cli.add_command(verify_ledger_command)
    app.cli.add_command(verify_statement_command)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Fund pools"), "pools.pools", frozenset(POOL_VIEWERS), position=40))
    connect(app, Hook.NAVIGATION, NavEntry(_l("Ledger check"), "pools.verify", frozenset({Role.ADMIN}), position=60))
    connect(app, Hook.TODO, loans_to_watch, key=Role.FINANCE)
    connect(app, Hook.SEED_STEP, seed_pools)
    connect(app, Hook.COUNTY_SEED_STEP, seed_county_pools)
