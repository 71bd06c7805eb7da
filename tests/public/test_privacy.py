"""Nothing private is public: every public page of the demo data, in both languages, is searched for
every value that must never appear there, collected from the database (so the test keeps working as
the data grows): users' names (villagers, reviewers, staff), the application's contact person and
phone, payees and their account numbers, the names of attachments not marked public, the contacts
of objections and the text of objections the county has not answered yet."""
import re

import pytest
from sqlalchemy import select

from fundtracker.auth.models import User
from fundtracker.demo import seed_demo
from fundtracker.disbursements.models import Disbursement
from fundtracker.extensions import db
from fundtracker.geo.models import Village
from fundtracker.projects.models import Project, ProjectAttachment
from fundtracker.public import disclosure
from fundtracker.public.models import Notice, NoticeObjection


@pytest.fixture
def demo(app):
    seed_demo(1)
    db.session.commit()


def private_values() -> set[str]:
    values = set(db.session.execute(select(User.display_name)).scalars())
    values |= set(db.session.execute(select(User.username)).scalars()) - {"admin", "village", "town", "finance"}
    for name, phone in db.session.execute(select(Project.contact_name, Project.contact_phone)):
        values |= {name, phone}
    for payee, account in db.session.execute(select(Disbursement.payee_name, Disbursement.payee_account)):
        values |= {payee, account}
    values |= set(db.session.execute(select(ProjectAttachment.original_name)
                                     .where(ProjectAttachment.public.is_(False))).scalars())
    values |= set(db.session.execute(select(NoticeObjection.contact)).scalars())
    values |= set(db.session.execute(select(NoticeObjection.text).where(NoticeObjection.answer.is_(None))).scalars())
    return {value for value in values if value and len(value) >= 2}


def every_public_page(client) -> list[str]:
    urls = ["/public/", "/public/villages"]
    for village_id in db.session.execute(select(Village.id)).scalars():
        urls += [f"/public/villages/{village_id}", f"/public/villages/{village_id}/board"]
    for project_id in db.session.execute(disclosure.public_projects().with_only_columns(Project.id)).scalars():
        urls += [f"/public/projects/{project_id}", f"/public/projects/{project_id}/board"]
    for notice_id in db.session.execute(select(Notice.id)).scalars():
        urls += [f"/public/notices/{notice_id}", f"/public/notices/{notice_id}/objection"]
    page = 2
    while f"page={page}" in client.get(f"/public/?page={page - 1}").get_data(as_text=True):
        urls.append(f"/public/?page={page}")
        page += 1
    return urls


def visible_text(html: str) -> str:
    return re.sub(r"<svg.*?</svg>", "", html, flags=re.S)


def test_no_public_page_of_the_demo_shows_anything_private(app, demo):
    forbidden = private_values()
    assert {"王建国", "0578-6512345", "组织部评审员", "县领导"} <= forbidden
    assert "鱼塘改造占用的是哪几户的承包田？补偿标准是否公示？" in forbidden, "the demo has an unanswered objection"
    assert any(re.fullmatch(r"\d{12,}", value) for value in forbidden), "the demo has an account number"
    client = app.test_client()
    urls = every_public_page(client)
    assert len(urls) > 30
    seen_payments = seen_returns = seen_answer = False
    for language in ("zh", "en"):
        for url in urls:
            response = client.get(url, headers={"Accept-Language": language})
            assert response.status_code == 200, url
            html = visible_text(response.get_data(as_text=True))
            leaked = sorted(value for value in forbidden if value in html)
            assert not leaked, f"{url} ({language}) shows {leaked}"
            seen_payments |= 'id="public-payments"' in html
            seen_returns |= 'id="public-distributions"' in html
            seen_answer |= 'class="answer-text"' in html
    assert seen_payments and seen_returns and seen_answer


def test_the_demo_has_notices_and_an_answered_objection(app, demo):
    kinds = set(db.session.execute(select(Notice.kind)).scalars())
    assert {"application", "approval", "distribution"} <= kinds
    answered = db.session.execute(select(NoticeObjection).where(NoticeObjection.answer.is_not(None))).scalars().all()
    assert len(answered) == 1
    unpublished = db.session.execute(select(Project).where(Project.status == "draft")).scalars().first()
    if unpublished is not None:
        assert app.test_client().get(f"/public/projects/{unpublished.id}").status_code == 404
