"""Accounts: sign-in with a lockout that holds across processes, passwords, user admin."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record_audit
from ..database import lock_row, utcnow
from ..errors import DomainError, RefusedAndRecorded
from ..extensions import db
from ..geo.models import Township, Village
from .models import User, new_session_token
from .roles import ROLE_LABELS, Department, Role

MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 4
# A username this long may not appear anywhere in the password (a shorter one only not as the whole).
MIN_NAME_IN_PASSWORD = 4
# Roles that act on projects or money. An administrator may hold them only when another
# administrator grants them (audited): nobody both manages accounts and acts unseen.
ROLES_NOT_SELF_GRANTED = frozenset({Role.VILLAGE, Role.TOWN, Role.REVIEWER, Role.APPROVER, Role.FINANCE})


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when no real hash may be (unknown user, locked account), so that every
    refusal costs about the same time as a real check."""
    return generate_password_hash("not-a-real-password", method=method)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the list zxcvbn ships (xato's leaked-password corpus),
    loaded on first use."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_rules(password: str, *, username: str | None = None, current_hash: str | None = None,
                         field: str = "password") -> None:
    """10+ characters, at least 4 different ones, not (containing) the username, not one of the
    common passwords, and (current_hash) not the password the account has now."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field=field)
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise DomainError(_l("The password needs at least %(n)d different characters.", n=MIN_DISTINCT_CHARACTERS),
                          field=field)
    name = (username or "").strip().lower()
    if name and (password.lower() == name or (len(name) >= MIN_NAME_IN_PASSWORD and name in password.lower())):
        raise DomainError(_l("The password cannot contain the username."), field=field)
    if password.lower() in common_passwords():
        raise DomainError(_l("This password is on the list of the most common passwords; choose another."),
                          field=field)
    if current_hash and check_password_hash(current_hash, password):
        raise DomainError(_l("The new password must differ from the current one."), field=field)


def find_user_by_username(username: str) -> User | None:
    stmt = select(User).where(func.lower(User.username) == (username or "").strip().lower())
    return db.session.execute(stmt).scalar_one_or_none()


@dataclass(frozen=True)
class SignIn:
    user: User
    locked_until: datetime | None  # a lock that had ended before this sign-in: the person is told of it


def _wrong_credentials() -> str:
    """One answer for an unknown user, a wrong password and a locked account: none of them tells
    whether the account exists or is locked."""
    config = current_app.config
    return _l("Wrong username or password. After %(count)d failed attempts an account is locked "
              "for %(minutes)d minutes.", count=config["LOGIN_MAX_FAILURES"], minutes=config["LOGIN_LOCKOUT_MINUTES"])


def _reserve_attempt(user: User) -> bool:
    """Count this attempt before its password is checked, on the locked row; True when it is the
    attempt that locks the account (the lock is lifted again if the password turns out right)."""
    config = current_app.config
    user.failed_login_count += 1
    if user.failed_login_count < config["LOGIN_MAX_FAILURES"]:
        return False
    user.failed_login_count = 0
    user.locked_until = utcnow() + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    return True


def authenticate(username: str, password: str) -> SignIn:
    """The user if the password is right and the account may sign in; DomainError otherwise.

    The account's row is locked (SELECT … FOR UPDATE) and the attempt counted before the slow
    hash is checked, so parallel attempts on any number of app servers queue on the row: each
    sees the count the one before it left, and once the lock is set no hash is checked at all.
    A wrong password raises RefusedAndRecorded: the form helper commits the count (and the lock).
    """
    method = current_app.config["PASSWORD_HASH_METHOD"]
    name = (username or "").strip().lower()
    user = lock_row(User, name, key=func.lower(User.username)) if name else None
    if user is None or user.is_locked:
        check_password_hash(_dummy_hash(method), password or "")
        raise DomainError(_wrong_credentials())
    ended_lock = user.locked_until
    locks_now = _reserve_attempt(user)
    if not check_password_hash(user.password_hash, password or ""):
        if locks_now:
            record_audit("user.locked", "user", user.id, summary=user.username, actor=user)
        raise RefusedAndRecorded(_wrong_credentials())
    if not user.active:
        raise DomainError(_l("This account has been deactivated. Ask the administrator."))
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    record_audit("user.login", "user", user.id, summary=user.username, actor=user)
    return SignIn(user, ended_lock)


def end_all_sessions(user: User) -> None:
    """Every session cookie issued to this user so far stops working."""
    user.session_token = new_session_token()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password or ""):
        raise DomainError(_l("The current password is wrong."), field="current_password")
    if new_password == current_password:
        raise DomainError(_l("The new password must differ from the current one."), field="password")
    check_password_rules(new_password, username=user.username)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
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
        "must_change_password": user.must_change_password,
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
                village_id=None, township_id=None, must_change_password=False) -> User:
    """A new account. must_change_password: the password was chosen by an administrator, and the
    user replaces it at the first sign-in (the create-admin command and the demo seed do not ask)."""
    username = (username or "").strip()
    if find_user_by_username(username) is not None:
        raise DomainError(_l("The username is taken."), field="username")
    check_password_rules(password, username=username)
    user = User(username=username, display_name="", password_hash=hash_password(password), role_rows=[],
                must_change_password=must_change_password)
    _apply_profile(user, display_name=display_name, roles=roles, department=department,
                   village_id=village_id, township_id=township_id)
    db.session.add(user)
    db.session.flush()
    record_audit("user.created", "user", user.id, summary=username, after=_user_snapshot(user))
    return user


def _refuse_granting_oneself(user: User, actor: User | None, roles) -> None:
    if actor is None or actor.id != user.id:
        return
    added = ({Role(r) for r in roles} - user.roles) & ROLES_NOT_SELF_GRANTED
    if added:
        raise DomainError(_l("You cannot give yourself these roles: %(roles)s. Another administrator has to grant "
                             "them (it is recorded in the audit trail).",
                             roles=", ".join(str(ROLE_LABELS[r]) for r in sorted(added))), field="roles")


def update_user(user: User, actor: User | None = None, **profile) -> None:
    """actor: the administrator making the change (None for a command run on the server)."""
    _refuse_granting_oneself(user, actor, profile.get("roles") or ())
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
    """A password chosen by an administrator: the user has to replace it at the next sign-in."""
    check_password_rules(new_password, username=user.username, current_hash=user.password_hash)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.failed_login_count = 0
    user.locked_until = None
    end_all_sessions(user)
    record_audit("user.password_reset", "user", user.id, summary=user.username)
