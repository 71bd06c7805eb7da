"""The panel's arithmetic (DESIGN.md, "Scoring"), on integers.

A sheet's total is the weighted sum of its scores: with weights adding up to 100 and scores
0–100, sum(weight × score) is the total in hundredths of a point (78.25 -> 7825). The panel
score is the mean of the submitted totals; from `trim_from` sheets on, one highest and one
lowest are dropped first (去掉一个最高分和一个最低分). The mean is rounded half up to the
hundredth. A spread of more than the threshold between the highest and the lowest sheet is
flagged.
"""
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..money import hundredths, round_half_up

CENTI = 100


def sheet_total_centi(weights_and_scores) -> int:
    """[(weight, score), ...] -> weighted total in hundredths of a point."""
    return sum(weight * score for weight, score in weights_and_scores)


def counted_totals(totals: list[int], trim_from: int) -> list[int]:
    ordered = sorted(totals)
    return ordered[1:-1] if len(ordered) >= trim_from else ordered


def panel_score_centi(totals: list[int], trim_from: int) -> int | None:
    counted = counted_totals(totals, trim_from)
    return round_half_up(Fraction(sum(counted), len(counted))) if counted else None


def spread_flagged(totals: list[int], threshold_points: int) -> bool:
    return len(totals) > 1 and max(totals) - min(totals) > threshold_points * CENTI


def criterion_mean_centi(scores: list[int]) -> int | None:
    """Mean of one criterion's scores over the submitted sheets, in hundredths."""
    return round_half_up(Fraction(sum(scores) * CENTI, len(scores))) if scores else None


def points(centi: int | None) -> Decimal | None:
    """7825 hundredths -> Decimal('78.25') points, for exports."""
    return hundredths(centi)


def format_points(centi: int | None) -> str:
    return "—" if centi is None else str(points(centi))


@dataclass(frozen=True)
class PanelResult:
    members: int
    submitted: int
    recused: int
    pending: int
    totals_centi: list[int]
    score_centi: int | None
    criterion_means_centi: dict[int, int | None]
    spread: bool
    pass_mark: int
    trimmed: bool

    MINIMUM_SHEETS = 3

    @property
    def complete(self) -> bool:
        """Every member has submitted or recused, and at least three sheets are in."""
        return self.pending == 0 and self.submitted >= self.MINIMUM_SHEETS

    @property
    def passed(self) -> bool:
        return self.score_centi is not None and self.score_centi >= self.pass_mark * CENTI
