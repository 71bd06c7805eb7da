"""Uploaded files: checked (size, extension, content), stored outside static/ under generated
names, and served only as downloads (Content-Disposition: attachment) by views that checked scope."""
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from .errors import DomainError
from .extensions import db

# extension -> (MIME type, the bytes such a file starts with, or None when the format has no signature)
ALLOWED_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size_bytes: int


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _upload_folder() -> Path:
    """The folder of uploaded files, opened by its owner only (0700) when we create it."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is reduced by the umask, never widened: set it exactly
    return folder


def _write_private_file(path: Path, content: bytes) -> None:
    """A new file readable and writable by its owner only (0600), whatever the umask."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


def store_upload(upload: FileStorage) -> StoredFile:
    """Check an uploaded file and keep it; raises DomainError (field 'file') when it is refused."""
    original = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    extension = _extension(original)
    if extension not in ALLOWED_TYPES:
        raise DomainError(_l("Files of this type are not accepted. Allowed: %(types)s.",
                             types=", ".join(sorted(ALLOWED_TYPES))), field="file")
    content = upload.stream.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1)
    if not content:
        raise DomainError(_l("The file is empty."), field="file")
    if len(content) > current_app.config["ATTACHMENT_MAX_BYTES"]:
        raise DomainError(_l("The file is larger than %(mb)d MB.",
                             mb=current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)), field="file")
    mimetype, signatures = ALLOWED_TYPES[extension]
    if not content.startswith(signatures):
        raise DomainError(_l("The file's content does not match its type (.%(ext)s).", ext=extension), field="file")
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = _upload_folder() / stored_name
    _write_private_file(path, content)
    db.session.info.setdefault(_UNCOMMITTED_FILES, []).append(path)
    return StoredFile(original, stored_name, mimetype, len(content))


_UNCOMMITTED_FILES = "uncommitted_upload_files"


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session) -> None:
    session.info.pop(_UNCOMMITTED_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_files_of_a_rolled_back_transaction(session) -> None:
    """A refused upload (or a refused action that stored files) leaves no file behind."""
    for path in session.info.pop(_UNCOMMITTED_FILES, []):
        path.unlink(missing_ok=True)


def send_stored_file(stored_name: str, content_type: str, download_name: str):
    path = _upload_folder() / stored_name
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
