"""Files and headers (issue 10): backups and uploads are readable by their owner only, and every
export tells caches not to keep it."""
import io
import os
import stat

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.projects.models import ProjectAttachment
from fundtracker.uploads import store_upload

from .conftest import USE_POSTGRES, login
from .projects.conftest import PDF, complete_application


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The usual umask (0022): without care a new file would be 0644 and a new folder 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_uploads_are_readable_by_their_owner_only(app, tmp_path, open_umask):
    folder = tmp_path / "uploads"
    assert not folder.exists()
    with app.test_request_context():
        stored = store_upload(FileStorage(io.BytesIO(PDF), filename="方案.pdf"))
        db.session.commit()
    assert mode(folder) == 0o700
    assert mode(folder / stored.stored_name) == 0o600


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite online backup (PostgreSQL: pg_dump)")
def test_backups_are_readable_by_their_owner_only(app, tmp_path, open_umask):
    target = tmp_path / "backups" / "copy.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700


@pytest.mark.skipif(USE_POSTGRES, reason="SQLite online backup (PostgreSQL: pg_dump)")
def test_a_backup_over_an_existing_file_narrows_it_too(app, tmp_path, open_umask):
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"")
    target.chmod(0o644)
    assert app.test_cli_runner().invoke(args=["backup", "--output", str(target)]).exit_code == 0
    assert mode(target) == 0o600


@pytest.mark.parametrize("path", ["/projects/export.csv", "/projects/export.xlsx", "/pools/loans.csv",
                                  "/pools/loans.xlsx"])
def test_exports_are_not_kept_by_caches(client, login_as, path):
    login_as(Role.APPROVER, Role.FINANCE)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")


def test_an_attachment_download_is_not_kept_by_caches_either(app, make_user):
    village_user = make_user(Role.VILLAGE)
    project = save_application(None, complete_application(), village_id=village_user.village_id, actor=village_user)
    db.session.commit()
    client = app.test_client()
    login(client, village_user)
    uploaded = client.post(f"/projects/{project.id}/attachments", data={
        "kind": "plan", "file": (io.BytesIO(PDF), "方案.pdf")}, content_type="multipart/form-data")
    assert uploaded.status_code in (200, 303), uploaded.get_data(as_text=True)[-1500:]
    attachment = db.session.execute(select(ProjectAttachment)).scalar_one()
    response = client.get(f"/projects/{project.id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
