"""Building blocks of the authorization matrix, shared by tests/<domain>/authz.py."""
from dataclasses import dataclass, field

from fundtracker.auth.roles import Role

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *[str(r) for r in Role]]
LOGIN_REDIRECT = 302


@dataclass
class Check:
    method: str
    url: object  # str or callable(world) -> str
    expected: dict
    data: object = field(default_factory=dict)  # dict or callable(world) -> dict


def signed_in(status=200, anonymous=LOGIN_REDIRECT):
    return {role: (anonymous if role == ANONYMOUS else status) for role in ROLES}


def only(*roles, status=200):
    allowed = {str(r) for r in roles}
    return {role: LOGIN_REDIRECT if role == ANONYMOUS else (status if role in allowed else 403) for role in ROLES}


def everyone(status=200):
    return {role: status for role in ROLES}


