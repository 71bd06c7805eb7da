"""The header navigation, by role. Later domains add their entries here."""
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from .auth.roles import Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: frozenset

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


EVERYONE = frozenset(Role)

NAVIGATION = (
    NavEntry(_l("To-do"), "main.home", EVERYONE),
    NavEntry(_l("Project library"), "projects.library", EVERYONE),
    NavEntry(_l("Vetting"), "vetting.my_panels", frozenset({Role.REVIEWER, Role.APPROVER})),
    NavEntry(_l("Fund pools"), "pools.pools", frozenset({Role.FINANCE, Role.APPROVER, Role.ADMIN})),
    NavEntry(_l("Users"), "admin.users", frozenset({Role.ADMIN})),
    NavEntry(_l("Townships"), "admin.townships", frozenset({Role.ADMIN})),
    NavEntry(_l("Villages"), "admin.villages", frozenset({Role.ADMIN})),
    NavEntry(_l("Audit trail"), "admin.audit", frozenset({Role.ADMIN})),
    NavEntry(_l("Ledger check"), "pools.verify", frozenset({Role.ADMIN})),
    NavEntry(_l("Criteria sets"), "vetting.criteria_sets", frozenset({Role.ADMIN})),
)


def navigation_for(user) -> list[NavEntry]:
    if not user.is_authenticated:
        return []
    return [entry for entry in NAVIGATION if user.roles & entry.roles]
