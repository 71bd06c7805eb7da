"""One-time tokens on money forms: a double click or a retry makes one entry, not two.

The form carries a fresh token (OneTimeTokenField). The service that writes money calls
claim_form_token() in the same transaction: the first claim inserts the token, a second
one finds it (or, racing on PostgreSQL, waits for the first to commit and then hits the
primary key) and gets back where the first submission led, to redirect there.
"""
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from .database import utcnow
from .errors import DomainError
from .extensions import db


class UsedFormToken(db.Model):
    """One-time tokens of forms already processed, with where the first submission led."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    result_url: Mapped[str] = mapped_column(String(500), default="")
    used_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class OneTimeTokenField(HiddenField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", new_form_token)
        super().__init__(label, validators, **kwargs)


class DuplicateSubmission(Exception):
    """The form was already processed; result_url is where the first submission led."""

    def __init__(self, result_url: str):
        super().__init__(result_url)
        self.result_url = result_url


def earlier_result_url(token: str | None) -> str | None:
    """Where the first submission of this form led, if the token was used already."""
    if not token or len(token) > 64:
        return None
    return db.session.execute(select(UsedFormToken.result_url).where(UsedFormToken.token == token)).scalar_one_or_none()


def claim_form_token(token: str | None, user) -> UsedFormToken:
    """Mark the token used, or raise DuplicateSubmission if it already was."""
    if not token or len(token) > 64:
        raise DomainError(_l("The form has expired. Reload the page and try again."))
    earlier = db.session.execute(select(UsedFormToken).where(UsedFormToken.token == token)).scalar_one_or_none()
    if earlier is not None:
        raise DuplicateSubmission(earlier.result_url)
    used = UsedFormToken(token=token, user_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(used)
    except IntegrityError:
        earlier = db.session.execute(select(UsedFormToken).where(UsedFormToken.token == token)).scalar_one()
        raise DuplicateSubmission(earlier.result_url) from None
    return used
