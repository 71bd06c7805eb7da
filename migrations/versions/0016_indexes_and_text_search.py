"""county scale: indexes for the project library and the loans owed, text search over projects
(SQLite FTS5 with the trigram tokenizer kept in step by triggers; PostgreSQL pg_trgm GIN indexes)

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-24 00:20:00

"""
import sqlite3
import warnings

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# Frozen here (never import the app's constants into a migration).
PROJECT_INDEXES = {
    "ix_projects_created_at_id": ["created_at", "id"],
    "ix_projects_status_created_at_id": ["status", "created_at", "id"],
    "ix_projects_status_requested_fen_id": ["status", "requested_fen", "id"],
    "ix_projects_requested_fen_id": ["requested_fen", "id"],
    "ix_projects_approved_amount_fen_id": ["approved_amount_fen", "id"],
    "ix_projects_village_id_created_at_id": ["village_id", "created_at", "id"],
    "ix_projects_title_id": ["title", "id"],
}
LOANS_INDEX = ("ix_contributions_source_type_loan_start_on_id", ["source_type", "loan_start_on", "id"])
SEARCHED_COLUMNS = ("title", "description", "location")
FTS5_TRIGRAM_SINCE = (3, 34, 0)

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE projects_fts USING fts5(title, description, location, content='projects', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects BEGIN "
    "INSERT INTO projects_fts(rowid, title, description, location) "
    "VALUES (new.id, new.title, new.description, new.location); END",
    "CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects BEGIN "
    "INSERT INTO projects_fts(projects_fts, rowid, title, description, location) "
    "VALUES ('delete', old.id, old.title, old.description, old.location); END",
    "CREATE TRIGGER projects_fts_update AFTER UPDATE OF title, description, location ON projects BEGIN "
    "INSERT INTO projects_fts(projects_fts, rowid, title, description, location) "
    "VALUES ('delete', old.id, old.title, old.description, old.location); "
    "INSERT INTO projects_fts(rowid, title, description, location) "
    "VALUES (new.id, new.title, new.description, new.location); END",
    "INSERT INTO projects_fts(projects_fts) VALUES ('rebuild')",  # the projects already there
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS projects_fts_update",
    "DROP TRIGGER IF EXISTS projects_fts_delete",
    "DROP TRIGGER IF EXISTS projects_fts_insert",
    "DROP TABLE IF EXISTS projects_fts",
]


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name, columns in PROJECT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index(LOANS_INDEX[0], LOANS_INDEX[1], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_text_search()
    else:
        _postgresql_text_search()


def _sqlite_text_search():
    if sqlite3.sqlite_version_info < FTS5_TRIGRAM_SINCE:
        warnings.warn(f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer (needs 3.34): "
                      "the project library searches without an index")
        return
    for statement in SQLITE_FTS:
        op.execute(statement)


def _postgresql_text_search():
    """pg_trgm GIN indexes serve ILIKE '%term%'. Without the right to create the extension the
    search still works (ILIKE without an index) and the migration says so."""
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        savepoint.commit()
    except Exception as error:  # noqa: BLE001 (any refusal: no such extension, no privilege)
        savepoint.rollback()
        warnings.warn(f"pg_trgm could not be created ({error.__class__.__name__}): "
                      "the project library searches without a trigram index")
        return
    for column in SEARCHED_COLUMNS:
        op.execute(f"CREATE INDEX ix_projects_{column}_trgm ON projects USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    else:
        for column in SEARCHED_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_projects_{column}_trgm")
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(LOANS_INDEX[0])
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name in reversed(PROJECT_INDEXES):
            batch_op.drop_index(name)
