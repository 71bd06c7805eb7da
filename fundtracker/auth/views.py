"""Sign in, sign out, change password."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload

from ..extensions import db, login_manager
from ..htmx import redirect_after_post
from ..security import safe_next
from ..views_common import form_status, press_button, submit_form
from . import OPEN_BEFORE_PASSWORD_CHANGE, services
from .forms import ChangePasswordForm, LoginForm
from .models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_token: str):
    """The signed-in user with their roles, village and township, in one statement: every request asks."""
    user = db.session.execute(db.select(User).options(joinedload(User.role_rows))
                              .where(User.session_token == session_token)).unique().scalar_one_or_none()
    return user if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    signed_in = submit_form(form, lambda: services.authenticate(form.username.data, form.password.data))
    if signed_in.done:
        user = signed_in.result.user
        _start_session(user)
        if signed_in.result.locked_until is not None:
            flash(_("After repeated failed sign-ins your account was locked until %(time)s. If that was not you, "
                    "change your password and tell the administrator.",
                    time=format_datetime(signed_in.result.locked_until, "short")), "error")
        if user.must_change_password:
            return redirect_after_post(url_for("auth.change_password"))
        return redirect_after_post(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), form_status(form)


def _start_session(user) -> None:
    """A fresh session for the signed-in user (against session fixation); the language stays."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    response = press_button(lambda: services.end_all_sessions(user), url_for("auth.login"))
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return response


def send_to_password_change():
    """Before every request: a user whose password an administrator set sees nothing else until
    they have chosen their own."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_BEFORE_PASSWORD_CHANGE):
        return redirect_after_post(url_for("auth.change_password"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    changed = submit_form(form, lambda: services.change_password(current_user, form.current_password.data,
                                                                 form.password.data))
    if changed.done:
        login_user(current_user)  # the new session token keeps this browser signed in
        flash(_("Your password has been changed. Other sessions have been signed out."), "success")
        return redirect_after_post(url_for("main.home"))
    return render_template("auth/change_password.html", form=form,
                           required=current_user.must_change_password), form_status(form)
