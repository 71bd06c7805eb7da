"""Project services called directly (without a view in front): who may mark a file public."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.projects import services

from .conftest import PDF


@pytest.fixture
def attachment(make_project, village_user):
    project = make_project(status="approved")
    file = services.add_attachment(project, FileStorage(io.BytesIO(PDF), "方案.pdf"), kind="plan", actor=village_user)
    db.session.commit()
    return project, file


@pytest.mark.parametrize("who", ["village of another village", "finance", "township", "reviewer"])
def test_only_the_project_s_village_and_the_approver_mark_a_file_public(attachment, make_user, make_village, who):
    project, file = attachment
    user = {"village of another village": lambda: make_user(Role.VILLAGE, village=make_village(name="别的村")),
            "finance": lambda: make_user(Role.FINANCE),
            "township": lambda: make_user(Role.TOWN, township=project.village.township),
            "reviewer": lambda: make_user(Role.REVIEWER)}[who]()
    assert not services.may_publish_attachments(project, user)
    with pytest.raises(DomainError, match="decide which files are public"):
        services.set_attachment_public(project, file, True, actor=user)
    assert file.public is False


def test_the_village_and_the_approver_mark_a_file_public_and_back(attachment, village_user, make_user):
    project, file = attachment
    services.set_attachment_public(project, file, True, actor=village_user)
    assert file.public is True
    services.set_attachment_public(project, file, False, actor=make_user(Role.APPROVER))
    assert file.public is False


def test_a_file_of_another_project_is_refused(attachment, make_project, village_user):
    other = make_project(status="approved", title="别的项目")
    with pytest.raises(DomainError, match="another project"):
        services.set_attachment_public(other, attachment[1], True, actor=village_user)
