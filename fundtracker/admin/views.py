"""Administration: users and their roles, townships and villages, the audit trail."""
from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..audit import labels as audit_labels
from ..audit.services import audit_query, known_actions
from ..auth import services as accounts
from ..auth.access import roles_required
from ..auth.forms import NewUserForm, ResetPasswordForm, UserProfileForm
from ..auth.models import User, UserRole
from ..auth.roles import ROLE_LABELS, Role
from ..extensions import db
from ..geo import services as geo
from ..geo.forms import TownshipForm, VillageForm
from ..geo.models import Township, Village
from ..views_common import int_arg, paginate, press_button, save_form_or_render

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMIN)


def _fill_scope_choices(form) -> None:
    none = [(None, "—")]
    form.village_id.choices = none + geo.village_choices()
    form.township_id.choices = none + geo.township_choices()


def _profile(form) -> dict:
    return {
        "display_name": form.display_name.data,
        "roles": form.roles.data,
        "department": form.department.data or None,
        "village_id": form.village_id.data,
        "township_id": form.township_id.data,
    }


@bp.route("/users")
@admin_only
def users():
    query = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    stmt = select(User).order_by(User.username)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like)))
    if role in set(Role):
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return render_template("admin/users.html", page=paginate(stmt), q=query, role=role, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def new_user():
    form = NewUserForm()
    _fill_scope_choices(form)
    return save_form_or_render(
        form, "admin/user_form.html",
        lambda: accounts.create_user(username=form.username.data, password=form.password.data,
                                     must_change_password=True, **_profile(form)),
        lambda user: url_for("admin.edit_user", user_id=user.id),
        user=None,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = UserProfileForm(obj=user)
    _fill_scope_choices(form)
    return save_form_or_render(
        form, "admin/user_form.html",
        lambda: accounts.update_user(user, current_user, **_profile(form)),
        url_for("admin.edit_user", user_id=user.id),
        user=user,
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_only
def set_active(user_id):
    user = db.get_or_404(User, user_id)
    activate = request.form.get("active") == "1"
    return press_button(lambda: accounts.set_user_active(user, activate, current_user),
                        url_for("admin.edit_user", user_id=user.id),
                        _("Account activated.") if activate else _("Account deactivated."),
                        failure_page=lambda status: _user_page(user, status))


def _user_page(user, status: int):
    form = UserProfileForm(obj=user, formdata=None)
    _fill_scope_choices(form)
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_only
def reset_password(user_id):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    return save_form_or_render(
        form, "admin/reset_password.html",
        lambda: accounts.reset_password(user, form.password.data),
        url_for("admin.edit_user", user_id=user.id),
        message=_("The password has been reset; the user's sessions were ended. The user has to choose a new "
                  "password at the next sign-in."),
        user=user,
    )


@bp.route("/townships")
@admin_only
def townships():
    page = paginate(select(Township).order_by(Township.name))
    counts = dict(db.session.execute(
        select(Village.township_id, func.count(Village.id))
        .where(Village.township_id.in_([t.id for t in page.items]))
        .group_by(Village.township_id)
    ).all())
    return render_template("admin/townships.html", page=page, village_counts=counts)


@bp.route("/townships/new", methods=["GET", "POST"], defaults={"township_id": None})
@bp.route("/townships/<int:township_id>", methods=["GET", "POST"])
@admin_only
def edit_township(township_id):
    township = db.get_or_404(Township, township_id) if township_id else None
    form = TownshipForm(obj=township)
    return save_form_or_render(
        form, "admin/township_form.html",
        lambda: geo.save_township(township, name=form.name.data, code=form.code.data),
        url_for("admin.townships"),
        township=township,
    )


@bp.route("/villages")
@admin_only
def villages():
    township_id = int_arg("township_id")
    stmt = select(Village).join(Township).order_by(Township.name, Village.name)
    if township_id:
        stmt = stmt.where(Village.township_id == township_id)
    return render_template("admin/villages.html", page=paginate(stmt),
                           townships=geo.township_choices(), township_id=township_id)


@bp.route("/villages/new", methods=["GET", "POST"], defaults={"village_id": None})
@bp.route("/villages/<int:village_id>", methods=["GET", "POST"])
@admin_only
def edit_village(village_id):
    village = db.get_or_404(Village, village_id) if village_id else None
    form = VillageForm(obj=village)
    form.township_id.choices = geo.township_choices()
    return save_form_or_render(
        form, "admin/village_form.html",
        lambda: geo.save_village(village, township_id=form.township_id.data, name=form.name.data, code=form.code.data),
        url_for("admin.villages"),
        village=village,
    )


@bp.route("/audit")
@admin_only
def audit():
    filters = {
        "actor_id": int_arg("actor_id"),
        "action": request.args.get("action") or None,
        "object_type": request.args.get("object_type") or None,
        "object_id": request.args.get("object_id") or None,
        "date_from": request.args.get("date_from", type=_parse_date),
        "date_to": request.args.get("date_to", type=_parse_date),
    }
    actors = db.session.execute(select(User).order_by(User.display_name)).scalars().all()
    return render_template("admin/audit.html", page=paginate(audit_query(**filters)), filters=filters,
                           actions=[(code, audit_labels.action_label(code)) for code in known_actions()],
                           actors=actors, audit_labels=audit_labels)


def _parse_date(text):
    return date.fromisoformat(text)
