"""The rules of staged payment that a county may set (app config keys), with the published defaults.

Default template: the farmland-works rule of 鄞州区 (鄞农发〔2024〕225号) by cumulative share of the
approved amount — 30 % after works start (the prepayment), 50 % at half the works, 80 % after the
township's check (镇级自验), 100 % after final acceptance — and a quality retention (质保金) of at
most 3 % of the settled amount (建质〔2017〕138号) released no earlier than 12 months after acceptance.
"""
from flask import current_app

CONTRACT, AWARD, SUPERVISION, ACCEPTANCE_REPORT, PRICE_AUDIT, INVOICE = (
    "合同", "中标通知书", "监理报告", "验收报告", "审价报告", "发票或结算单")

DEFAULT_TEMPLATE = (
    # (description, cumulative percent of the approved amount, documents, paid after the county's acceptance)
    ("开工后预付", 30, (CONTRACT, AWARD), False),
    ("完成工程量一半", 50, (CONTRACT, SUPERVISION, INVOICE), False),
    ("镇级自验后", 80, (SUPERVISION, INVOICE), False),
    ("县级验收后", 100, (ACCEPTANCE_REPORT, PRICE_AUDIT, INVOICE), True),
)

# 国家财政项目资金负面清单: purposes public project money may never pay.
DEFAULT_NEGATIVE_LIST = ("单位基本支出", "交通通讯工具", "楼堂馆所", "奖金津贴福利", "偿还债务和垫资")
NEGATIVE_LIST_KEYWORDS = {
    "单位基本支出": ("基本支出", "办公经费", "人员工资"),
    "交通通讯工具": ("交通工具", "通讯工具", "购车", "车辆", "手机"),
    "楼堂馆所": ("楼堂馆所", "办公楼", "培训中心", "宾馆"),
    "奖金津贴福利": ("奖金", "津贴", "福利", "补贴发放"),
    "偿还债务和垫资": ("偿还债务", "还债", "垫资"),
}
DEFAULT_PURPOSES = ("工程款", "设备购置款", "材料款", "监理费", "其他项目建设支出")


def setting(name: str, default):
    return current_app.config.get(name, default)


def tranche_template():
    return setting("TRANCHE_TEMPLATE", DEFAULT_TEMPLATE)


def prepayment_cap_percent() -> int:
    return setting("PREPAYMENT_CAP_PERCENT", 30)


def retention_max_percent() -> int:
    return setting("RETENTION_MAX_PERCENT", 3)


def retention_months() -> int:
    return setting("RETENTION_MONTHS", 12)


def negative_list() -> tuple:
    return setting("PAYMENT_NEGATIVE_LIST", DEFAULT_NEGATIVE_LIST)


def allowed_purposes() -> tuple:
    return setting("PAYMENT_PURPOSES", DEFAULT_PURPOSES)
