"""Enums whose members carry their translated label and give the CHECK constraint of their column.

    class PoolStatus(LabelledEnum):
        OPEN = "open", _l("Open")
        CLOSED = "closed", _l("Closed")

    PoolStatus.OPEN.label                                      # the lazy translation
    PoolStatus.labels()                                        # {member: label}, for select fields and templates
    PoolStatus.check_constraint("status", name="known_status")  # CHECK (status IN ('open', 'closed'))

A member without a label (`DRAFT = "draft"`) is a state the interface does not name.
"""
from enum import StrEnum

from sqlalchemy import CheckConstraint


class LabelledEnum(StrEnum):
    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict:
        return {member: member.label for member in cls}

    @classmethod
    def check_constraint(cls, column: str, name: str, *, nullable: bool = False) -> CheckConstraint:
        """`column IN ('a', 'b')` over the members' values; with nullable, `column IS NULL OR …` first."""
        values = ", ".join(f"'{member.value}'" for member in cls)
        condition = f"{column} IN ({values})"
        return CheckConstraint(f"{column} IS NULL OR {condition}" if nullable else condition, name=name)
