from datetime import timedelta

import pytest

from fundtracker.auth.roles import Role
from fundtracker.clock import local_today
from fundtracker.extensions import db
from fundtracker.public import notices
from fundtracker.public.models import NoticeKind

from ..projects.conftest import chain_without_the_panel, make_funded_pool, make_project, village_user  # noqa: F401


@pytest.fixture
def approver(make_user):
    return make_user(Role.APPROVER, username="county-approver")


@pytest.fixture
def make_notice(app, approver):
    """A notice of a project, published by the county's approver; starts today unless told."""
    def factory(project, kind=NoticeKind.APPROVAL, days_ago=0, period_days=10, text="公示内容"):
        notice = notices.create_notice(project, notices.NoticeInput(
            kind=kind, starts_on=local_today() - timedelta(days=days_ago), period_days=period_days, text=text),
            actor=approver)
        db.session.commit()
        return notice

    return factory
