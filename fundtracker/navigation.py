"""The header navigation, by role: each domain connects its NavEntry objects to
Hook.NAVIGATION in its init_app; they show in the order of their position."""
from dataclasses import dataclass

from flask import url_for

from .auth.roles import Role
from .signals import Hook, handlers

EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: frozenset
    position: int = 100

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


def navigation_for(user) -> list[NavEntry]:
    if not user.is_authenticated:
        return []
    return sorted((entry for entry in handlers(Hook.NAVIGATION) if user.roles & entry.roles),
                  key=lambda entry: entry.position)
