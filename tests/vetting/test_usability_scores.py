"""A score that is not a whole number from 0 to 100 gets one clear message; the inputs say what they take."""
import pytest

from .test_views import client_for, criteria_ids


@pytest.mark.parametrize("typed", ["75.5", "-3", "101", "abc", "７５.5"])
def test_one_clear_message_for_a_bad_score(app, panel, typed):
    project, members = panel(size=1)
    reviewer = client_for(app, members[0].reviewer)
    first = criteria_ids(project)[0]
    response = reviewer.post(f"/projects/{project.id}/vetting/sheet", data={f"score_{first}": typed})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a whole number from 0 to 100." in body
    assert "Not a valid integer" not in body and "Number must be between" not in body


def test_the_score_inputs_say_what_they_take(app, panel):
    project, members = panel(size=1)
    page = client_for(app, members[0].reviewer).get(f"/projects/{project.id}/vetting/sheet").get_data(as_text=True)
    assert "0–100, whole numbers" in page
