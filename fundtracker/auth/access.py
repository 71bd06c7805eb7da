"""Who may reach what: the role decorator, the request's scope, and what a user may *do*.

Every request has an explicit scope: public (anonymous), or the union of what the user's roles
see — their village, their township's villages, or the whole county. Loaders filter by it, so
an object outside it is a 404. What a user may *do* as a village collective or a township
reviewer is narrower than what they may see: only for their own village or township
(acting_roles), whatever other roles widen their view.
"""
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps

from flask import abort, g, has_request_context
from flask_babel import gettext
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


class ScopeLevel(StrEnum):
    PUBLIC = "public"
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"


@dataclass(frozen=True)
class Scope:
    """The villages a request may see. Several roles widen it, never narrow it."""

    county: bool = False
    village_ids: frozenset = frozenset()
    township_ids: frozenset = frozenset()

    @property
    def level(self) -> ScopeLevel:
        if self.county:
            return ScopeLevel.COUNTY
        if self.township_ids:
            return ScopeLevel.TOWNSHIP
        return ScopeLevel.VILLAGE if self.village_ids else ScopeLevel.PUBLIC

    def villages(self, village_id_column):
        """SQL condition: rows of the villages this scope sees (none for the public scope)."""
        if self.county:
            return true()
        allowed = []
        if self.village_ids:
            allowed.append(village_id_column.in_(sorted(self.village_ids)))
        if self.township_ids:
            allowed.append(village_id_column.in_(
                select(Village.id).where(Village.township_id.in_(sorted(self.township_ids)))))
        return or_(*allowed) if allowed else false()

    def covers(self, village: Village) -> bool:
        return self.county or village.id in self.village_ids or village.township_id in self.township_ids


PUBLIC_SCOPE = Scope()


def scope_of(user) -> Scope:
    """The scope of a user; an anonymous visitor (or none) gets the public scope, never an error."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC_SCOPE
    roles = user.roles
    return Scope(
        county=bool(roles & COUNTY_ROLES),
        village_ids=frozenset({user.village_id}) if Role.VILLAGE in roles and user.village_id else frozenset(),
        township_ids=frozenset({user.township_id}) if Role.TOWN in roles and user.township_id else frozenset(),
    )


def request_scope() -> Scope:
    """The scope of the current request (computed once per request)."""
    if not has_request_context():
        return PUBLIC_SCOPE
    if "scope" not in g:
        g.scope = scope_of(current_user)
    return g.scope


def village_scope(user, village_id_column):
    """SQL condition: rows whose village the user may see."""
    return scope_of(user).villages(village_id_column)


def can_see_village(user, village: Village) -> bool:
    return scope_of(user).covers(village)


def name_shown_to(viewer, person) -> str:
    """A person's name as a viewer may see it: village and township users never see the names of the
    county's panel reviewers (they see "County panel member")."""
    if person is None:
        return "—"
    if Role.REVIEWER in person.roles and not (getattr(viewer, "roles", frozenset()) & COUNTY_ROLES):
        return gettext("County panel member")
    return person.display_name


def acting_roles(user, village: Village) -> frozenset:
    """The roles a user may exercise on something of this village: the village role only for
    their own village, the township role only for their own township; county roles anywhere."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = set(user.roles)
    if user.village_id != village.id:
        roles.discard(Role.VILLAGE)
    if user.township_id != village.township_id:
        roles.discard(Role.TOWN)
    return frozenset(roles)
