"""Users, their roles and their scope."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db
from ..geo.models import Township, Village
from .roles import COUNTY_ROLES, Role


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (Role.check_constraint("role", name="known_role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_login_count >= 0", name="failed_count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    department: Mapped[str | None] = mapped_column(String(20))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # The password was set by an administrator: the user chooses their own at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Rotated at logout and password change: every cookie issued before stops working.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    village: Mapped[Village | None] = relationship(lazy="joined")
    township: Mapped[Township | None] = relationship(lazy="joined")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        present = {row.role for row in self.role_rows}
        self.role_rows.extend(UserRole(role=str(r)) for r in sorted(wanted - present))

    def has_role(self, *roles) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_locked(self) -> bool:
        """Locked after repeated failed sign-ins, and the lock has not ended yet."""
        return self.locked_until is not None and self.locked_until > utcnow()

    @property
    def is_county_level(self) -> bool:
        return bool(self.roles & COUNTY_ROLES)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def __str__(self) -> str:
        return self.display_name
