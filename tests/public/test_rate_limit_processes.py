"""The objection limit is counted in the database, so it holds across app servers: two separate
processes (two apps, two connection pools) posting from one client address together file no more
than the limit; the refusals carry the message."""
import json
import subprocess
import sys

from sqlalchemy import func, select

from fundtracker import ROOT
from fundtracker.extensions import db
from fundtracker.public.models import NoticeObjection, ObjectionAttempt

from ..conftest import BASE_CONFIG

LIMIT, POSTS_PER_PROCESS = 3, 4

SERVER_SCRIPT = """
import json, sys
from fundtracker import create_app
config, notice_id, tag = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
client = create_app(config).test_client()
for number in range(int(sys.argv[4])):
    response = client.post(f"/public/notices/{notice_id}/objection", data={"text": f"异议 {tag} {number}"},
                           environ_base={"REMOTE_ADDR": "203.0.113.9"})
    print(response.status_code, "Too many objections" in response.get_data(as_text=True))
"""


def test_two_app_processes_share_one_limit(app, database_url, tmp_path, make_project, make_notice):
    notice_id = make_notice(make_project(status="approved")).id
    db.session.commit()
    db.session.close()
    config = json.dumps({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "OBJECTION_LIMIT": LIMIT,
                         "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    servers = [subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, config, str(notice_id), tag,
                                 str(POSTS_PER_PROCESS)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for tag in ("A", "B")]
    outputs = [server.communicate(timeout=180) for server in servers]
    answers = [line.split() for out, err in outputs for line in out.splitlines()]
    assert len(answers) == 2 * POSTS_PER_PROCESS, outputs
    filed = [status for status, _ in answers if status == "303"]
    refused = [(status, told) for status, told in answers if status != "303"]
    assert len(filed) == LIMIT, answers
    assert refused and all(status == "422" and told == "True" for status, told in refused), answers
    assert db.session.execute(select(func.count(NoticeObjection.id))).scalar_one() == LIMIT
    assert db.session.execute(select(func.count(ObjectionAttempt.id))).scalar_one() == LIMIT
