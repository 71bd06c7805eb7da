"""The home page's to-do list: for each of the user's roles, what waits for them.

Each domain connects providers to Hook.TODO under a role in its init_app; a provider
fn(user) returns a list of TodoItem.
"""
from dataclasses import dataclass

from ..signals import Hook, handlers


@dataclass(frozen=True)
class TodoItem:
    label: str
    url: str
    count: int = 1


def todo_for(user) -> list[TodoItem]:
    items = []
    for role in sorted(user.roles):
        for provider in handlers(Hook.TODO, role):
            items.extend(item for item in provider(user) if item.count)
    return items
