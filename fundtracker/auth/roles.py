"""Roles and reviewer departments, with their translated labels."""
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    VILLAGE = "village"
    TOWN = "town"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    FINANCE = "finance"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.VILLAGE: _l("Village collective"),
    Role.TOWN: _l("Township reviewer"),
    Role.REVIEWER: _l("County reviewer"),
    Role.APPROVER: _l("County approver"),
    Role.FINANCE: _l("Finance staff"),
    Role.ADMIN: _l("Administrator"),
}

# Roles that work at county level and see every village.
COUNTY_ROLES = frozenset({Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.ADMIN})


class Department(StrEnum):
    ORGANISATION = "organisation"
    FINANCE = "finance"
    AGRICULTURE = "agriculture"
    TASK_FORCE = "task_force"
    OTHER = "other"


DEPARTMENT_LABELS = {
    Department.ORGANISATION: _l("Organisation Department"),
    Department.FINANCE: _l("Finance Bureau"),
    Department.AGRICULTURE: _l("Agriculture and Rural Affairs Bureau"),
    Department.TASK_FORCE: _l("Task force"),
    Department.OTHER: _l("Other department"),
}
