"""The yearly performance evaluation's settings: the indicator table with its weights, and the grades.

Default indicator table. Its structure is the national one for project spending, 《项目支出绩效评价
管理办法》(财预〔2020〕10号) and its reference framework (附件 2): four first-level dimensions, 决策
(decision), 过程 (process), 产出 (output) and 效益 (benefit), with output and benefit together weighing
at least 60 of the 100 points, as its article on weights asks ("原则上产出、效益指标权重不低于60%").
The second-level indicators are the figures this system already holds for a village project:

=========  =============================================  ======  ==========================================
dimension  indicator                                      weight  how its share of the weight is found
=========  =============================================  ======  ==========================================
决策        立项规范 (application, review and approval     10      judgment: full unless the evaluator lowers it
           followed the procedure)                                (with a reason)
决策        绩效目标明确 (monitoring indicators set)       5       judgment: full when the project has at least
                                                                  one indicator, else none; adjustable
过程        资金执行率 (money paid against the plan)       15      paid in the year / tranches due in the year
                                                                  (planned in it, or, planned without a date,
                                                                  whose milestone the township confirmed in
                                                                  it), at most 100 %
过程        预警处置 (warnings handled)                    10      warnings opened in the year that are closed
                                                                  or dismissed / warnings opened; full without
                                                                  a warning
产出        里程碑按期 (milestones on time)                10      tranches due in the year (as above) that were
                                                                  fully paid within the yellow slip time
                                                                  (TRANCHE_SLIP_YELLOW_MONTHS) / those due
产出        监测指标达标率 (indicator compliance)          20      the year's readings within their bounds /
                                                                  the year's readings
效益        收益实现率 (actual net against expected)       20      the year's net / the application's expected
                                                                  net for the same periods, 0 to 100 %
效益        带动农户 (households benefiting)               10      full when the year's profit was distributed
                                                                  with dividends to households (a plan paid
                                                                  out, or published for notice), else none
=========  =============================================  ======  ==========================================

An indicator without a basis in the year (no tranche planned, no reading, no return reported, no
profit to distribute) is "not applicable": the score is the weighted points of the applicable
indicators scaled to 100 (适用指标权重按比例折算). Each indicator's share is kept in basis points
(0–10000, rounded half up), the score in hundredths of a point (centi-points, as the panel scores),
rounded half up once at the end. The weights are the setting EVALUATION_WEIGHTS (key -> points,
adding up to 100).

Grades (setting EVALUATION_GRADES, the lowest score of each grade in centi-points, highest first):
the national four bands of 财预〔2020〕10号 (90 and above, 80 to below 90, 60 to below 80, below 60)
with the labels the source (嘉祥) gives its results: 好 / 较好 / 一般 / 差.
"""
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l


class Dimension(StrEnum):
    DECISION = "decision"
    PROCESS = "process"
    OUTPUT = "output"
    BENEFIT = "benefit"


DIMENSION_LABELS = {
    Dimension.DECISION: _l("Decision (决策)"),
    Dimension.PROCESS: _l("Process (过程)"),
    Dimension.OUTPUT: _l("Output (产出)"),
    Dimension.BENEFIT: _l("Benefit (效益)"),
}


@dataclass(frozen=True)
class IndicatorDefinition:
    key: str
    dimension: Dimension
    label: object
    judgment: bool = False  # the evaluator may adjust it, with a reason


INDICATORS = (
    IndicatorDefinition("procedure", Dimension.DECISION, _l("Procedure followed (立项规范)"), judgment=True),
    IndicatorDefinition("targets", Dimension.DECISION, _l("Performance targets set (绩效目标明确)"), judgment=True),
    IndicatorDefinition("execution", Dimension.PROCESS, _l("Money paid against the plan (资金执行率)")),
    IndicatorDefinition("warnings", Dimension.PROCESS, _l("Warnings handled (预警处置)")),
    IndicatorDefinition("milestones", Dimension.OUTPUT, _l("Milestones on time (里程碑按期)")),
    IndicatorDefinition("compliance", Dimension.OUTPUT, _l("Indicator compliance (监测指标达标率)")),
    IndicatorDefinition("net_return", Dimension.BENEFIT, _l("Actual net against expected (收益实现率)")),
    IndicatorDefinition("households", Dimension.BENEFIT, _l("Households benefiting (带动农户)")),
)
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
JUDGMENT_KEYS = tuple(indicator.key for indicator in INDICATORS if indicator.judgment)

DEFAULT_WEIGHTS = {"procedure": 10, "targets": 5, "execution": 15, "warnings": 10, "milestones": 10,
                   "compliance": 20, "net_return": 20, "households": 10}

DEFAULT_GRADES = (("good", 9000), ("fairly_good", 8000), ("fair", 6000), ("poor", 0))
GRADE_LABELS = {"good": _l("Good (好)"), "fairly_good": _l("Fairly good (较好)"), "fair": _l("Fair (一般)"),
                "poor": _l("Poor (差)")}

FULL_SHARE_BP = 10_000


def init_settings(app) -> None:
    app.config.setdefault("EVALUATION_WEIGHTS", dict(DEFAULT_WEIGHTS))
    app.config.setdefault("EVALUATION_GRADES", DEFAULT_GRADES)


def weights() -> dict[str, int]:
    configured = current_app.config["EVALUATION_WEIGHTS"]
    if set(configured) != set(INDICATOR_BY_KEY) or sum(configured.values()) != 100 or min(configured.values()) < 0:
        raise RuntimeError("EVALUATION_WEIGHTS must give every indicator a weight, adding up to 100")
    return dict(configured)


def grade_for(score_centi: int) -> str:
    """The grade of a score: the first band (highest first) whose lowest score it reaches."""
    for code, lowest_centi in current_app.config["EVALUATION_GRADES"]:
        if score_centi >= lowest_centi:
            return code
    return current_app.config["EVALUATION_GRADES"][-1][0]


def grade_label(code: str | None):
    if code is None:
        return "—"
    return GRADE_LABELS.get(code, code)
