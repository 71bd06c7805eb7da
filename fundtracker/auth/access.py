"""Who may reach what: the role decorator and the scope rules every loader applies."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import false, or_, select, true

from ..geo.models import Village
from .roles import COUNTY_ROLES, Role


def roles_required(*roles):
    """Signed in (else to the login page) and holding one of the roles (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def village_scope(user, village_id_column):
    """SQL condition: rows whose village the user may see.

    County roles see every village, a township reviewer the villages of their township,
    a village collective its own village. Several roles widen the scope, never narrow it.
    """
    if user.roles & COUNTY_ROLES:
        return true()
    allowed = []
    if Role.VILLAGE in user.roles and user.village_id:
        allowed.append(village_id_column == user.village_id)
    if Role.TOWN in user.roles and user.township_id:
        allowed.append(
            village_id_column.in_(select(Village.id).where(Village.township_id == user.township_id))
        )
    return or_(*allowed) if allowed else false()


def can_see_village(user, village: Village) -> bool:
    if user.roles & COUNTY_ROLES:
        return True
    return (Role.VILLAGE in user.roles and user.village_id == village.id) or (
        Role.TOWN in user.roles and user.township_id == village.township_id
    )
