"""The application shows every problem in one answer, and the live summary never computes with an
amount it could not read."""
from sqlalchemy import func, select

from fundtracker.extensions import db
from fundtracker.projects.models import Project

from .test_views import FORM, village_client  # noqa: F401


def test_all_problems_in_one_answer(village_client):
    response = village_client.post("/projects/new", data={
        **FORM, "total_investment": "90万x", "end_on": "2026-01-01", "meeting_votes_for": "40"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end date is before the start date." in body
    assert "More votes (41) than people attending (30)." in body
    assert body.count('class="error"') >= 3  # the total's own error too
    assert db.session.execute(select(func.count(Project.id))).scalar_one() == 0


def test_an_unreadable_total_is_not_compared_as_zero(village_client):
    body = village_client.post("/projects/new", data={**FORM, "total_investment": "abc"}).get_data(as_text=True)
    assert "is above the total investment (¥0.00)" not in body
    assert "over the total" not in body
    assert "Correct the amounts marked in red" in body


def test_the_live_summary_waits_for_a_readable_total(village_client):
    body = village_client.post("/projects/application/check", data={**FORM, "total_investment": "abc"},
                               headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "total investment ¥0.00" not in body and "over the total" not in body and "Correct the amounts" in body
    body = village_client.post("/projects/application/check", data=FORM,
                               headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "adds up" in body


def test_a_section_check_shows_the_date_order_with_a_bad_total_elsewhere(village_client):
    body = village_client.post("/projects/application/check?section=basics",
                               data={**FORM, "total_investment": "abc", "end_on": "2026-01-01"},
                               headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "The end date is before the start date." in body
