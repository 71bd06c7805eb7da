"""Accounts, roles and sign-in."""


def init_app(app) -> None:
    from .views import bp

    app.register_blueprint(bp)
