"""The geometry of the dashboard's bar charts, rendered as SVG by templates/_macros/charts.html.

A chart is computed here (tested) and drawn by one small macro: bars side by side or stacked, negative
values below the zero line, a <title> on every bar with its category, series and value, a legend. The
numbers themselves are always in the table beside the chart.
"""
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours that print distinguishably and read on white (the app's blue, amber, green, purple, grey, red).
PALETTE = ("#175cd3", "#f79009", "#12b76a", "#7a5af8", "#98a2b3", "#d92d20", "#0e9384")
LEFT, RIGHT, PLOT_TOP, PLOT_BOTTOM, HEIGHT = 64, 12, 12, 172, 260
BAR, GAP, MIN_WIDTH = 24, 18, 240
LABEL_CHARACTERS = 10  # a longer category is cut under its bar; the bar's <title> and the table have it whole


@dataclass(frozen=True)
class Series:
    label: object
    values: list  # one number per category
    colour: str


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str

    def svg(self) -> str:
        """The bar as SVG, its colour and title (category, series, value) escaped; the numbers are ours."""
        return (f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="{self.height}" '
                f'fill="{escape(self.colour)}">'
                f'<title>{escape(self.title)}</title></rect>')


@dataclass(frozen=True)
class BarChart:
    title: object
    width: int
    height: int
    zero_y: float
    rects: list
    labels: list  # (x, category) under each group
    legend: list  # (series label, colour)
    top_label: str
    bottom_label: str

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def label_y(self) -> int:
        """Category labels hang below the plot, slanted so that long ones do not overlap."""
        return PLOT_BOTTOM + 14

    def bars_svg(self) -> Markup:
        """Every bar, written here in one pass rather than attribute by attribute in the template (a chart of
        the 50 townships' three colours has 150 bars)."""
        return Markup("\n".join(rect.svg() for rect in self.rects))

    def labels_svg(self) -> Markup:
        """The category labels under the bars, escaped."""
        y = self.label_y
        return Markup("\n".join(
            f'<text x="{x}" y="{y}" font-size="10" text-anchor="end" fill="#344054" transform="rotate(-35 {x} {y})">'
            f'{escape(label)}</text>' for x, label in self.labels))


def _extent(series: list[Series], count: int, stacked: bool) -> tuple[int, int]:
    """The highest and lowest value the scale must reach (0 always inside)."""
    if stacked:
        tops = [sum(max(s.values[i], 0) for s in series) for i in range(count)]
        bottoms = [sum(min(s.values[i], 0) for s in series) for i in range(count)]
    else:
        tops = bottoms = [value for s in series for value in s.values]
    return max([0, *tops]), min([0, *bottoms])


def bar_chart(title, categories: list, series: list[Series], *, stacked: bool = False,
              format_value: Callable = str) -> BarChart:
    """Bars per category: one per series side by side, or one stacked bar (positives up, negatives down)."""
    count = len(categories)
    top, bottom = _extent(series, count, stacked)
    scale = (PLOT_BOTTOM - PLOT_TOP) / ((top - bottom) or 1)
    zero_y = PLOT_TOP + top * scale
    bars_per_group = 1 if stacked else max(len(series), 1)
    group = bars_per_group * BAR + GAP
    series_labels = [str(s.label) for s in series]  # translated once, not once per bar
    rects, labels = [], []
    for index, category in enumerate(categories):
        left = LEFT + GAP / 2 + index * group
        above = below = 0
        for number, s in enumerate(series):
            value = s.values[index]
            if not value:
                continue
            x = left if stacked else left + number * BAR
            if stacked and value > 0:
                above += value
                y = zero_y - above * scale
            elif stacked:
                y = zero_y + below * scale
                below -= value
            else:
                y = zero_y - value * scale if value > 0 else zero_y
            rects.append(Rect(round(x, 1), round(y, 1), BAR - 2, round(abs(value) * scale, 1), s.colour,
                              f"{category} · {series_labels[number]}: {format_value(value)}"))
        labels.append((round(left + (bars_per_group * BAR) / 2, 1), _short(str(category))))
    return BarChart(title, max(int(LEFT + count * group + RIGHT), MIN_WIDTH), HEIGHT, round(zero_y, 1), rects, labels,
                    [(s.label, s.colour) for s in series], format_value(top), format_value(bottom) if bottom else "")


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1] + "…"


def palette_series(labelled_values: list[tuple[object, list]]) -> list[Series]:
    """Series coloured from the palette in order."""
    return [Series(label, values, PALETTE[index % len(PALETTE)])
            for index, (label, values) in enumerate(labelled_values)]
