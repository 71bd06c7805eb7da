"""Project operations other than the application and the workflow: attachments, titles for the ledger."""
from sqlalchemy import select

from ..audit.services import record_audit
from ..extensions import db
from ..uploads import store_upload
from .models import AttachmentKind, Project, ProjectAttachment


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


def set_attachment_public(attachment: ProjectAttachment, public: bool, *, actor) -> ProjectAttachment:
    """Show a file on the project's public page (a plan, a photo) or take it off again."""
    before = attachment.public
    attachment.public = bool(public)
    db.session.flush()
    record_audit("project.attachment_public", "project", attachment.project_id, summary=attachment.original_name,
                 before={"attachment_id": attachment.id, "public": before},
                 after={"attachment_id": attachment.id, "public": attachment.public}, actor=actor)
    return attachment
