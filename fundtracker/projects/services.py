"""Project operations other than the application and the workflow: attachments, titles for the ledger."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_audit
from ..auth.roles import Role
from ..errors import DomainError
from ..extensions import db
from ..uploads import store_upload
from .loaders import acts_as_village
from .models import AttachmentKind, Project, ProjectAttachment, ProjectStatus

# The application's own files are attached until the county decides; later documents (payments,
# progress, returns) are attached by their own step.
APPLICATION_FILE_STATUSES = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED, ProjectStatus.SUBMITTED,
                                       ProjectStatus.TOWN_PASSED, ProjectStatus.VETTING})


def add_application_attachment(project: Project, upload, *, kind: str, actor) -> ProjectAttachment:
    if project.status not in APPLICATION_FILE_STATUSES:
        raise DomainError(_l("Files are attached to the application until the county decides; later documents "
                             "go with their own step (payment, progress report, returns)."))
    return add_attachment(project, upload, kind=kind, actor=actor)


def may_remove_attachments(project: Project, user) -> bool:
    return project.status == ProjectStatus.DRAFT and acts_as_village(user, project)


def remove_draft_attachment(project: Project, attachment: ProjectAttachment, actor) -> None:
    """A draft's file, removed by its own village (nothing refers to a draft's files yet)."""
    if not may_remove_attachments(project, actor):
        raise DomainError(_l("Only the village removes a file, while the application is a draft."))
    record_audit("project.attachment_removed", "project", project.id, summary=attachment.original_name,
                 before={"attachment_id": attachment.id, "kind": attachment.kind}, actor=actor)
    db.session.delete(attachment)
    db.session.flush()


def add_attachment(project: Project, upload, *, kind: str, actor, site_visit_id: int | None = None) -> ProjectAttachment:
    stored = store_upload(upload)
    attachment = ProjectAttachment(
        project_id=project.id, kind=AttachmentKind(kind), original_name=stored.original_name,
        stored_name=stored.stored_name, content_type=stored.content_type, size_bytes=stored.size_bytes,
        site_visit_id=site_visit_id, uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    record_audit("project.attachment", "project", project.id, summary=stored.original_name,
                 after={"attachment_id": attachment.id, "kind": attachment.kind, "size": stored.size_bytes}, actor=actor)
    return attachment


def project_titles(project_ids) -> dict[int, str]:
    """For the pool statement (Hook.PROJECT_TITLES): the titles of the projects its entries pay."""
    return dict(db.session.execute(select(Project.id, Project.title).where(Project.id.in_(list(project_ids)))).all())


def may_publish_attachments(project: Project, user) -> bool:
    """The project's own village collective and the county's approver decide which files are public."""
    return acts_as_village(user, project) or user.has_role(Role.APPROVER)


def set_attachment_public(project: Project, attachment: ProjectAttachment, public: bool, *, actor) -> ProjectAttachment:
    """Show a file on the project's public page (a plan, a photo) or take it off again."""
    if not may_publish_attachments(project, actor):
        raise DomainError(_l("Only the project's village and the county's approver decide which files are public."))
    if attachment.project_id != project.id:
        raise DomainError(_l("That file belongs to another project."))
    before = attachment.public
    attachment.public = bool(public)
    db.session.flush()
    record_audit("project.attachment_public", "project", attachment.project_id, summary=attachment.original_name,
                 before={"attachment_id": attachment.id, "public": before},
                 after={"attachment_id": attachment.id, "public": attachment.public}, actor=actor)
    return attachment
