"""Every form error shows its words, whatever its type: a lazy string from a service (the loan
without collateral) as much as a plain one, with and without HTMX."""
from flask import render_template_string
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, StringField

from fundtracker.formatting import error_messages

from ..pools.test_contributions import LOAN, entry_count, post

NO_COLLATERAL = {**LOAN, "collateral-0-name": "", "collateral-1-name": ""}
COLLATERAL_MESSAGE = "List at least one collective asset pledged as collateral."


def test_a_loan_without_collateral_says_why_on_the_full_page(finance_client, pool):
    response = post(finance_client, pool, NO_COLLATERAL)
    assert response.status_code == 422
    assert COLLATERAL_MESSAGE in response.get_data(as_text=True)
    assert entry_count() == 0


def test_a_loan_without_collateral_says_why_in_the_htmx_answer(finance_client, pool):
    response = post(finance_client, pool, NO_COLLATERAL, htmx=True)
    assert response.status_code == 422
    assert COLLATERAL_MESSAGE in response.get_data(as_text=True)


def test_a_loan_without_collateral_says_why_in_chinese(finance_client, pool):
    response = finance_client.post(f"/pools/{pool.id}/contributions/new", data=NO_COLLATERAL,
                                   headers={"Accept-Language": "zh"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error"' in body.split('id="field-collateral"')[1].split("</fieldset>")[0]


class Rows(FlaskForm):
    name = StringField("Name")
    rows = FieldList(StringField("Row"), min_entries=1)


def test_the_field_macro_shows_lazy_and_plain_errors_and_skips_nested_row_errors(app):
    with app.test_request_context():
        form = Rows(meta={"csrf": False})
        form.name.errors = [_l("A lazy message."), "A plain message."]
        form.rows.errors = [["row error shown by its row"], _l("One for the whole list.")]
        html = render_template_string(
            '{% from "_macros/forms.html" import render_field %}{{ render_field(form.name) }}{{ render_field(form.rows) }}',
            form=form)
    assert "A lazy message." in html and "A plain message." in html
    assert "One for the whole list." in html
    assert "[&#39;row error" not in html and "['row error" not in html


def test_error_messages_keeps_lazy_strings():
    assert [str(m) for m in error_messages(["a", _l("b"), ["nested"], {"x": 1}])] == ["a", "b"]
    assert error_messages({"row": ["x"]}) == []


def test_an_htmx_contribution_says_so_and_refreshes_the_loans(finance_client, pool):
    body = post(finance_client, pool, LOAN, htmx=True).get_data(as_text=True)
    assert 'id="flashes" class="flashes" aria-live="polite" hx-swap-oob="true"' in body
    assert "Contribution recorded." in body
    assert 'id="pool-loans" class="card" hx-swap-oob="true"' in body and "浙江青田农村商业银行" in body
