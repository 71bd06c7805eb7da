"""The audit trail reads like a sentence in the user's language: who, what (a label for every action
code the code records), which object (linked), when (county time), the changed fields labelled and
formatted (¥ for fen, 47.50 for centi-points, labels for codes, no \\u escapes)."""
import re
from datetime import datetime
from pathlib import Path

import pytest

from fundtracker.audit.labels import ACTION_LABELS, changes
from fundtracker.audit.services import record_audit
from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.statemachine import StateMachine

from ..conftest import login

SOURCE = Path(__file__).resolve().parents[2] / "fundtracker"
LITERAL_CODE = re.compile(r'record_audit\(\s*"([a-z_]+\.[a-z_]+)"')
CONDITIONAL_CODES = re.compile(r'record_audit\(\s*"([a-z_.]+)" if [^"]+ else "([a-z_.]+)"')
FORMATTED_CODE = re.compile(r'record_audit\(\s*f"([a-z_]+)\.\{')


def recorded_codes() -> set[str]:
    codes = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        codes.update(LITERAL_CODE.findall(text))
        for pair in CONDITIONAL_CODES.findall(text):
            codes.update(pair)
    return codes


def formatted_prefixes() -> set[str]:
    return {prefix for path in SOURCE.rglob("*.py") for prefix in FORMATTED_CODE.findall(path.read_text())}


def machine_codes(app) -> set[str]:
    """The codes the state machines record ("<machine>.<action>"), from every machine the domains define."""
    import gc
    return {f"{machine.name}.{action}" for machine in gc.get_objects() if isinstance(machine, StateMachine)
            for action in machine.actions()}


def test_every_literal_action_code_has_a_label():
    codes = recorded_codes()
    assert len(codes) > 20  # the grep found them
    assert sorted(codes - ACTION_LABELS.keys()) == []


def test_every_formatted_action_code_has_a_label(app):
    from fundtracker.pools.models import CommitmentKind, EntryKind

    assert formatted_prefixes() == {"ledger", "pool"}  # a new f-string code needs a line here (machines: below)
    codes = {f"ledger.{kind}" for kind in EntryKind} | {f"pool.{kind}" for kind in CommitmentKind} | machine_codes(app)
    assert {"project.approve", "disbursement.approve", "warning.confirm"} <= codes
    assert sorted(codes - ACTION_LABELS.keys()) == []


def test_changes_are_labelled_and_formatted(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rows = changes({"status": "vetting", "approved_amount_fen": None},
                       {"status": "approved", "approved_amount_fen": 300_000_000, "total_centi": 4750,
                        "title": "青田", "annual_rate_bp": 385}, "project")
    shown = {row.label: (row.before, row.after) for row in rows}
    assert shown["Status"] == ("County vetting", "Approved")
    assert shown["Approved amount"] == ("—", "¥3,000,000.00")
    assert shown["Total score"] == (None, "47.50")
    assert shown["Project title"] == (None, "青田")
    assert shown["Annual rate"] == (None, "3.85%")


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    assert login(client, make_user(Role.ADMIN, username="管理员")).status_code == 303
    return client


def test_the_page_reads_as_sentences_in_chinese(app, admin_client, make_user):
    target = make_user(Role.FINANCE, username="青田")
    record_audit("pool.commitment", "fund_pool", 7, summary="2026 资金池", after={"amount_fen": 123_456, "project_id": 3})
    record_audit("project.approve", "project", 3, summary="牧场扩建", before={"status": "vetting"},
                 after={"status": "approved", "comment": ""})
    db.session.commit()
    page = admin_client.get("/admin/audit", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "\\u" not in page and "<code>" not in page
    assert "¥1,234.56" in page and "123456" not in page
    assert f'href="/admin/users/{target.id}"' in page and 'href="/projects/3"' in page
    assert "user.created" not in page.split('<table class="audit">')[1]
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", page)
    assert "rows" not in page.split("</table>")[1]


def test_times_are_county_time(app, admin_client):
    event = record_audit("user.login", "user", 1, summary="x")
    event.occurred_at = datetime(2026, 11, 23, 18, 23, 52)  # UTC
    db.session.commit()
    page = admin_client.get("/admin/audit?action=user.login", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "2026年11月24日 02:23" in page
