"""The home page (each user's to-do list) and the language switch."""
from flask_babel import lazy_gettext as _l

from ..navigation import EVERYONE, NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from .views import bp

    app.register_blueprint(bp)
    connect(app, Hook.NAVIGATION, NavEntry(_l("To-do"), "main.home", EVERYONE, position=10))
