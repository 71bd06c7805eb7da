"""The bar chart geometry and the macro that draws it."""
import pytest
from flask import render_template_string

from fundtracker.dashboard.charts import HEIGHT, PALETTE, PLOT_BOTTOM, PLOT_TOP, Series, bar_chart, palette_series

PLOT = PLOT_BOTTOM - PLOT_TOP


def _rect(chart, fragment):
    return next(rect for rect in chart.rects if fragment in rect.title)


def test_side_by_side_bars_are_proportional_and_stand_on_the_zero_line():
    chart = bar_chart("t", ["2024", "2025"], [Series("revenue", [100, 50], "#000"), Series("cost", [25, 0], "#111")])
    assert chart.zero_y == PLOT_BOTTOM
    revenue, half, cost = _rect(chart, "2024 · revenue"), _rect(chart, "2025 · revenue"), _rect(chart, "2024 · cost")
    assert revenue.height == PLOT and half.height == PLOT / 2 and cost.height == PLOT / 4
    assert revenue.y + revenue.height == half.y + half.height == PLOT_BOTTOM
    assert cost.x > revenue.x and half.x > cost.x
    assert not any("2025 · cost" in rect.title for rect in chart.rects)  # a zero draws nothing


def test_stacked_bars_pile_up_and_the_tallest_stack_fills_the_plot():
    chart = bar_chart("t", ["a", "b"], [Series("x", [30, 10], "#000"), Series("y", [10, 10], "#111")], stacked=True)
    bottom, top = _rect(chart, "a · x"), _rect(chart, "a · y")
    assert bottom.x == top.x and top.y + top.height == pytest.approx(bottom.y)
    assert bottom.height + top.height == pytest.approx(PLOT)
    assert _rect(chart, "b · x").height == pytest.approx(PLOT / 4)


def test_negative_values_hang_below_the_zero_line():
    chart = bar_chart("t", ["2024", "2025"], [Series("net", [60, -20], "#000")])
    assert PLOT_TOP < chart.zero_y < PLOT_BOTTOM
    loss = _rect(chart, "2025 · net")
    assert loss.y == chart.zero_y and loss.y + loss.height == pytest.approx(PLOT_BOTTOM)
    assert chart.bottom_label == "-20"


def test_titles_legend_labels_and_width():
    chart = bar_chart("Money", ["一月", "二月", "三月"], palette_series([("paid", [1, 2, 3]), ("kept", [3, 2, 1])]),
                      format_value=lambda v: f"¥{v}")
    assert [rect.title for rect in chart.rects][:2] == ["一月 · paid: ¥1", "一月 · kept: ¥3"]
    assert chart.legend == [("paid", PALETTE[0]), ("kept", PALETTE[1])]
    assert [label for _, label in chart.labels] == ["一月", "二月", "三月"]
    assert chart.top_label == "¥3" and chart.height == HEIGHT
    assert bar_chart("empty", [], []).width > 0 and bar_chart("empty", [], []).rects == []


def test_the_macro_draws_an_accessible_svg(app):
    chart = bar_chart("Payments <by> month", ["2026-01"], [Series("paid", [5], "#175cd3")])
    with app.test_request_context():
        svg = render_template_string('{% from "_macros/charts.html" import bar_chart %}{{ bar_chart(chart, "c") }}',
                                     chart=chart)
    assert 'role="img" aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Payments &lt;by&gt; month</title>' in svg
    assert "<title>2026-01 · paid: 5</title>" in svg and 'fill="#175cd3"' in svg
    assert "style=" not in svg and "<figcaption" not in svg  # one series: no legend


def test_bars_and_labels_are_written_with_their_text_escaped():
    """A township or pool name is the county's text: the bars' titles and the labels under them escape it."""
    chart = bar_chart("escaped", ['<b>"东"&村</b>'], palette_series([("paid", [5])]))
    svg = chart.bars_svg() + chart.labels_svg()
    assert "<b>" not in svg and "&lt;b&gt;&#34;东&#34;&amp;村" in svg
    assert svg.count("<rect ") == 1 and svg.count("<text ") == 1 and 'fill="#175cd3"' in svg
