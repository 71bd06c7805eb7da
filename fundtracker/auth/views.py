"""Sign in, sign out, change password."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError, attach_to_form
from ..extensions import db, login_manager
from ..htmx import redirect_after_post
from . import services
from .forms import ChangePasswordForm, LoginForm
from .models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_token: str):
    user = db.session.execute(db.select(User).where(User.session_token == session_token)).scalar_one_or_none()
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str:
    """Only a path on this site, never an absolute URL someone planted."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except DomainError as error:
            db.session.commit()  # keep the failure count
            form.form_errors.append(error.message)
            return render_template("auth/login.html", form=form), 422
        db.session.commit()
        language = session.get("lang")
        session.clear()
        if language:
            session["lang"] = language
        login_user(user)
        return redirect_after_post(safe_next(request.args.get("next")))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect_after_post(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            attach_to_form(form, error)
            return render_template("auth/change_password.html", form=form), 422
        db.session.commit()
        login_user(current_user)  # the new session token keeps this browser signed in
        flash(_("Your password has been changed. Other sessions have been signed out."), "success")
        return redirect_after_post(url_for("main.home"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200
