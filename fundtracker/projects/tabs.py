"""The project page's tabs: each domain connects its own to Hook.PROJECT_TAB in its init_app."""
from dataclasses import dataclass

from ..signals import Hook, handlers


@dataclass(frozen=True)
class ProjectTab:
    label: object
    endpoint: str
    roles: frozenset | None = None  # None: everyone who may see the project

    def visible_to(self, user) -> bool:
        return self.roles is None or bool(user.roles & self.roles)


def project_tabs() -> list[ProjectTab]:
    return handlers(Hook.PROJECT_TAB)


def first_read_guard_target(project, user) -> str | None:
    """Where a user must go before reading this project (e.g. a panel member's declaration), or None."""
    for guard in handlers(Hook.PROJECT_READ_GUARD):
        if target := guard(project, user):
            return target
    return None
