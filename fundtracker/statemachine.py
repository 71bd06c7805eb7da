"""The one state machine for every object with a life cycle (projects, and later progress
reports, disbursements, warnings, distribution plans, acceptances).

A machine is a table (status, action) -> Transition(to_status, roles, label, guards, effects)
and one apply() that checks the table and the roles the actor holds *for this object*, runs
the guards (the table's, then those other domains connected to Hook.TRANSITION_GUARD for this
machine), changes the status, runs the effects (likewise), writes the object's timeline entry
and the audit event, and flushes. It never commits. Separation of duties and four eyes are
guards, not `if`s in views.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .audit.services import record_audit
from .database import utcnow
from .errors import DomainError
from .extensions import db
from .signals import Hook, handlers

# fn(obj, action, actor, data): raises DomainError to refuse (a guard) or writes (an effect).
Step = Callable[[object, StrEnum, object, object], None]


@dataclass(frozen=True)
class Transition:
    to_status: StrEnum
    roles: frozenset
    label: object
    guards: tuple[Step, ...] = ()
    effects: tuple[Step, ...] = ()
    needs_reason: bool = False
    by_service: bool = False  # taken by another domain's service (no button), e.g. "works started" by a payment


class TimelineEventColumns:
    """The columns of a machine's timeline row (one per transition): mixed into each domain's
    append-only event table, next to the key of the object it belongs to."""

    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def actor(cls):
        return relationship("User", lazy="joined")


class RoleNotAllowed(DomainError):
    """The actor's roles (for this object) do not allow the action; views answer 403."""


class ActionNotOpen(DomainError):
    """The action does not apply to the object in its present status."""


@dataclass(frozen=True)
class TransitionData:
    """What every transition may carry; machines extend it with their own fields."""

    comment: str = ""


def _every_role(obj, user) -> frozenset:
    return frozenset(user.roles)


def _always_open(obj, action) -> bool:
    return True


@dataclass(frozen=True)
class StateMachine:
    name: str  # the audit trail's prefix and the key other domains connect their guards under
    transitions: Mapping[tuple[StrEnum, StrEnum], Transition]
    status_labels: Mapping
    # fn(obj, action, from_status, to_status, comment, actor) -> the timeline row (added, not flushed)
    record_event: Callable
    # fn(obj, user) -> the roles the user may exercise on this object (e.g. "village" only for their own)
    acting_roles: Callable = _every_role
    # fn(obj, action) -> False when an action that keeps the status was already taken (e.g. a filing)
    still_open: Callable = _always_open
    describe: Callable = field(default=str)
    reason_message: object = _l("Give the reasons.")

    def actions(self) -> set:
        return {action for _, action in self.transitions}

    def status_label(self, status) -> object:
        return self.status_labels.get(status, status)

    def available(self, obj, user) -> list[tuple[StrEnum, Transition]]:
        """The actions this user may take on this object now (for its buttons)."""
        roles = self.acting_roles(obj, user)
        return [(action, transition) for (status, action), transition in self.transitions.items()
                if status == obj.status and roles & transition.roles and self.still_open(obj, action)
                and not transition.by_service]

    def roles_for(self, action) -> frozenset:
        """Every role that may take this action in some status."""
        return frozenset().union(*(t.roles for (_, a), t in self.transitions.items() if a == action))

    def may_ever_take(self, obj, action, user) -> bool:
        """Whether the user holds, for this object, a role that takes this action in some status: a page
        answers 403 to one who never may, before saying anything about the status."""
        return bool(self.acting_roles(obj, user) & self.roles_for(action))

    def transition_for(self, obj, action, actor, *, by_service: bool = False) -> Transition:
        transition = self.transitions.get((obj.status, action))
        if transition is None or not self.still_open(obj, action) or transition.by_service > by_service:
            raise ActionNotOpen(_l("This action is not possible while the status is “%(status)s”.",
                                   status=self.status_label(obj.status)))
        if not self.acting_roles(obj, actor) & transition.roles:
            raise RoleNotAllowed(_l("Your roles do not allow this action."))
        return transition

    def apply(self, obj, action, actor, data: TransitionData = TransitionData(), *, by_service: bool = False):
        """Take the action: check, guard, change the status, run the effects, record. Flushes.
        by_service: another domain's service takes a transition that has no button of its own."""
        transition = self.transition_for(obj, action, actor, by_service=by_service)
        comment = (data.comment or "").strip()
        if transition.needs_reason and not comment:
            raise DomainError(self.reason_message, field="comment")
        for guard in (*transition.guards, *handlers(Hook.TRANSITION_GUARD, self.name)):
            guard(obj, action, actor, data)
        from_status = obj.status
        obj.status = transition.to_status
        try:
            for effect in (*transition.effects, *handlers(Hook.TRANSITION_EFFECT, self.name)):
                effect(obj, action, actor, data)
        except BaseException:
            obj.status = from_status  # a refused effect leaves the object as it was, even before the rollback
            raise
        event = self.record_event(obj, action, from_status, transition.to_status, comment, actor)
        db.session.add(event)
        db.session.flush()
        record_audit(f"{self.name}.{action}", self.name, obj.id,
                     summary=str(self.describe(obj)),  # the status change is in before/after, shown with labels
                     before={"status": from_status}, after={"status": obj.status, "comment": comment}, actor=actor)
        return event
