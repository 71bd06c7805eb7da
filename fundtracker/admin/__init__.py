"""Administration pages: users, townships, villages, the audit trail."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import NavEntry
from ..signals import Hook, connect

ADMIN = frozenset({Role.ADMIN})


def init_app(app) -> None:
    from .views import bp

    app.register_blueprint(bp)
    for position, (label, endpoint) in enumerate([(_l("Users"), "admin.users"), (_l("Townships"), "admin.townships"),
                                                  (_l("Villages"), "admin.villages"),
                                                  (_l("Audit trail"), "admin.audit")], start=50):
        connect(app, Hook.NAVIGATION, NavEntry(label, endpoint, ADMIN, position=position))
