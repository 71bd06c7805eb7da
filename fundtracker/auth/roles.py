"""Roles and reviewer departments, with their translated labels."""
from flask_babel import lazy_gettext as _l

from ..enums import LabelledEnum


class Role(LabelledEnum):
    VILLAGE = "village", _l("Village collective")
    TOWN = "town", _l("Township reviewer")
    REVIEWER = "reviewer", _l("County reviewer")
    APPROVER = "approver", _l("County approver")
    FINANCE = "finance", _l("Finance staff")
    ADMIN = "admin", _l("Administrator")


ROLE_LABELS = Role.labels()

# Roles that work at county level and see every village.
COUNTY_ROLES = frozenset({Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.ADMIN})


class Department(LabelledEnum):
    ORGANISATION = "organisation", _l("Organisation Department")
    FINANCE = "finance", _l("Finance Bureau")
    AGRICULTURE = "agriculture", _l("Agriculture and Rural Affairs Bureau")
    TASK_FORCE = "task_force", _l("Task force")
    OTHER = "other", _l("Other department")


DEPARTMENT_LABELS = Department.labels()
