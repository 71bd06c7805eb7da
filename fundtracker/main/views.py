"""Home (each user's to-do list) and the language switch."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user, login_required

from ..auth.roles import DEPARTMENT_LABELS, ROLE_LABELS
from ..security import safe_next
from .todo import todo_for

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    return render_template(
        "main/home.html",
        todo=todo_for(current_user),
        role_labels=ROLE_LABELS,
        department_labels=DEPARTMENT_LABELS,
    )


@bp.route("/language/<code>")
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")), code=303)


@bp.route("/healthz")
def health():
    return {"status": "ok"}
