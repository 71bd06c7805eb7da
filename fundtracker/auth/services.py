"""Accounts: sign-in with a lockout that holds across processes, passwords, user admin."""
from datetime import timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record_audit
from ..database import utcnow
from ..errors import DomainError, RefusedAndRecorded
from ..extensions import db
from ..geo.models import Township, Village
from .models import User, new_session_token
from .roles import Department, Role

MIN_PASSWORD_LENGTH = 10
# Checked against when the username is unknown, so that both paths cost the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password")


def find_user_by_username(username: str) -> User | None:
    stmt = select(User).where(func.lower(User.username) == (username or "").strip().lower())
    return db.session.execute(stmt).scalar_one_or_none()


def _record_failure(user: User) -> None:
    """Count the failure in one UPDATE so that parallel app processes add up correctly."""
    config = current_app.config
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_login_count=User.failed_login_count + 1)
    )
    db.session.refresh(user)
    if user.failed_login_count >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = utcnow() + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_login_count = 0
        record_audit("user.locked", "user", user.id, summary=user.username, actor=user)


def authenticate(username: str, password: str) -> User:
    """The user if the password is right and the account may sign in; DomainError otherwise.

    A wrong password raises RefusedAndRecorded: the form helper commits, so that the failure
    count (and a lockout) is kept.
    """
    user = find_user_by_username(username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise DomainError(_l("Wrong username or password."))
    if user.locked_until and user.locked_until > utcnow():
        raise DomainError(
            _l("Too many failed attempts. The account is locked until %(time)s.",
               time=format_datetime(user.locked_until, "short"))
        )
    if not check_password_hash(user.password_hash, password or ""):
        _record_failure(user)
        raise RefusedAndRecorded(_l("Wrong username or password."))
    if not user.active:
        raise DomainError(_l("This account has been deactivated. Ask the administrator."))
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    record_audit("user.login", "user", user.id, summary=user.username, actor=user)
    return user


def end_all_sessions(user: User) -> None:
    """Every session cookie issued to this user so far stops working."""
    user.session_token = new_session_token()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password or ""):
        raise DomainError(_l("The current password is wrong."), field="current_password")
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    record_audit("user.password_changed", "user", user.id, summary=user.username)


def _check_scope(roles, village_id, township_id, department) -> None:
    if Role.VILLAGE in roles and not village_id:
        raise DomainError(_l("A village user needs a village."), field="village_id")
    if Role.TOWN in roles and not township_id:
        raise DomainError(_l("A township reviewer needs a township."), field="township_id")
    if Role.REVIEWER in roles and department not in set(Department):
        raise DomainError(_l("A county reviewer needs a department."), field="department")
    if not roles:
        raise DomainError(_l("Choose at least one role."), field="roles")


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.roles),
        "department": user.department,
        "village_id": user.village_id,
        "township_id": user.township_id,
        "active": user.active,
    }


def _apply_profile(user: User, *, display_name, roles, department, village_id, township_id) -> None:
    roles = {Role(r) for r in roles}
    village = db.session.get(Village, village_id) if village_id else None
    if village is not None and not township_id and Role.TOWN not in roles:
        township_id = village.township_id
    if township_id and db.session.get(Township, township_id) is None:
        raise DomainError(_l("Unknown township."), field="township_id")
    if village_id and village is None:
        raise DomainError(_l("Unknown village."), field="village_id")
    _check_scope(roles, village_id, township_id, department)
    user.display_name = display_name.strip()
    user.set_roles(roles)
    user.department = department if Role.REVIEWER in roles else None
    user.village_id = village_id or None
    user.township_id = township_id or None


def create_user(*, username, display_name, password, roles, department=None,
                village_id=None, township_id=None) -> User:
    username = (username or "").strip()
    if find_user_by_username(username) is not None:
        raise DomainError(_l("The username is taken."), field="username")
    check_password_rules(password)
    user = User(username=username, display_name="", password_hash=hash_password(password), role_rows=[])
    _apply_profile(user, display_name=display_name, roles=roles, department=department,
                   village_id=village_id, township_id=township_id)
    db.session.add(user)
    db.session.flush()
    record_audit("user.created", "user", user.id, summary=username, after=_user_snapshot(user))
    return user


def update_user(user: User, **profile) -> None:
    before = _user_snapshot(user)
    _apply_profile(user, **profile)
    db.session.flush()
    record_audit("user.updated", "user", user.id, summary=user.username, before=before, after=_user_snapshot(user))


def set_user_active(user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    before = _user_snapshot(user)
    user.active = active
    if not active:
        end_all_sessions(user)
    record_audit("user.activated" if active else "user.deactivated", "user", user.id,
                 summary=user.username, before=before, after=_user_snapshot(user))


def reset_password(user: User, new_password: str) -> None:
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.failed_login_count = 0
    user.locked_until = None
    end_all_sessions(user)
    record_audit("user.password_reset", "user", user.id, summary=user.username)
