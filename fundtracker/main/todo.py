"""The home page's to-do list: for each of the user's roles, what waits for them.

Each domain adds a provider with register_todo_provider(role, fn); fn(user) returns a
list of TodoItem. The foundation has none yet, so the page shows roles and scope.
"""
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class TodoItem:
    label: str
    url: str
    count: int = 1


_providers = defaultdict(list)


def register_todo_provider(role: str, provider) -> None:
    _providers[role].append(provider)


def todo_for(user) -> list[TodoItem]:
    items = []
    for role in sorted(user.roles):
        for provider in _providers.get(role, ()):
            items.extend(item for item in provider(user) if item.count)
    return items
