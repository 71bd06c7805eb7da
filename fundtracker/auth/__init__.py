"""Accounts, roles and sign-in."""

# Pages a user whose password an administrator set may still open before choosing their own.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset({"auth.change_password", "auth.logout", "static", "main.set_language"})


def init_app(app) -> None:
    from .views import bp, send_to_password_change

    app.register_blueprint(bp)
    app.before_request(send_to_password_change)
