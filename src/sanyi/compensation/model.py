"""The drug mark-up removal compensation (取消药品加成补偿) as a pure calculation with its trail.

For a hospital and year: the income lost by selling drugs (except 中药饮片) at cost is estimated as a
rate of the previous year's drug cost, pro-rated to the months of the year the reform is in force,
and split into a service-price share, a government share and the hospital's own share (the
remainder, so the three add up to the fen). Until the service prices are adjusted the government
also covers the price share, pro-rated by month (the rule and its source are in the parameters
file). Every figure is exact to the fen (ROUND_HALF_UP where it is stated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sanyi.compensation.errors import COMPENSATION_BEFORE_REFORM, COMPENSATION_INVALID_INPUT
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge.compensation import CompensationRules


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    label_zh: str
    label_en: str
    formula: str
    value: str  # the amount in yuan, or a count
    source: str | None = None  # document and clause


@dataclass(frozen=True, slots=True)
class Compensation:
    year: int
    drug_cost: Money
    excluded_cost: Money | None  # 中药饮片 of the previous year (None when entered by hand)
    annual_loss: Money
    months_in_force: int
    loss: Money
    price_share: Money
    government_share: Money
    hospital_share: Money
    top_up_months: int
    top_up: Money
    price_borne: Money  # what the adjusted service prices carry this year
    government_total: Money
    steps: tuple[Step, ...]


def months_in_force(rules: CompensationRules, year: int) -> tuple[int, int]:
    """(first month, number of months) of ``year`` with the mark-up removed."""
    start = rules.reform_start
    if year < start.year:
        raise DomainError(COMPENSATION_BEFORE_REFORM, year=year, start=start.isoformat(), path="year")
    first = start.month if year == start.year else 1
    return first, 13 - first


def top_up_months(first: int, year: int, adjusted_on: date | None) -> int:
    """Months of the year in force before the service prices were adjusted: a month counts whole
    unless the adjustment took effect on its first day; no adjustment this year means all."""
    in_force = 13 - first
    if adjusted_on is None or adjusted_on.year > year:
        return in_force
    if adjusted_on.year < year:
        return 0
    last_uncovered = adjusted_on.month if adjusted_on.day > 1 else adjusted_on.month - 1
    return max(0, min(last_uncovered, 12) - first + 1)


def _pct(ratio: Decimal) -> str:
    return f"{ratio * 100:g}%"


def _yuan(amount: Money) -> str:
    return f"{amount.yuan:,.2f}"


def calculate(
    rules: CompensationRules,
    year: int,
    drug_cost: Money,
    adjusted_on: date | None = None,
    excluded_cost: Money | None = None,
) -> Compensation:
    if drug_cost.is_negative():
        raise DomainError(
            COMPENSATION_INVALID_INPUT,
            field="drug_cost",
            reason="must not be negative",
            reason_zh="药品费不能为负数",
            path="drug_cost",
        )
    if adjusted_on is not None and adjusted_on < rules.reform_start:
        raise DomainError(
            COMPENSATION_INVALID_INPUT,
            field="adjusted_on",
            reason="the price adjustment cannot precede the reform",
            reason_zh="调价日期不能早于改革启动日期",
            path="adjusted_on",
        )
    cite = {name: rules.sources[key].cite() for name, key in rules.cited.items()}
    first, in_force = months_in_force(rules, year)
    annual = drug_cost.times(rules.markup_rate)
    loss = Money.of(annual.yuan * in_force / 12)
    price = loss.times(rules.price_share)
    government = loss.times(rules.government_share)
    hospital = loss - price - government
    months = top_up_months(first, year, adjusted_on)
    top_up = Money.of(price.yuan * months / in_force)
    price_borne = price - top_up
    government_total = government + top_up
    steps = [
        Step(
            "drug_cost",
            f"{year - 1} 年药品费（不含中药饮片）",
            f"drug cost of {year - 1} (中药饮片 excluded)",
            "Σ 西药费 + 中成药费" if excluded_cost is not None else "手工录入",
            _yuan(drug_cost),
            cite["drug_categories"],
        ),
    ]
    if excluded_cost is not None:
        steps.append(
            Step(
                "excluded",
                "不计入的中药饮片费",
                "中药饮片 left out (keeps its mark-up)",
                "Σ 中药饮片费",
                _yuan(excluded_cost),
                cite["excluded_categories"],
            )
        )
    steps += [
        Step(
            "annual_loss",
            "全年减少的合理收入",
            "income lost in a full year",
            f"{_yuan(drug_cost)} × {_pct(rules.markup_rate)}",
            _yuan(annual),
            cite["markup_rate"],
        ),
        Step(
            "months_in_force",
            f"{year} 年执行零加成的月数 E",
            f"months of {year} with zero mark-up (E)",
            f"{first} 月至 12 月（改革起始 {rules.reform_start.isoformat()}）",
            str(in_force),
            cite["reform_start"],
        ),
        Step(
            "loss",
            f"{year} 年应补偿额",
            f"compensation due for {year}",
            f"{_yuan(annual)} × {in_force} ÷ 12",
            _yuan(loss),
        ),
        Step(
            "price_share",
            "调整医疗服务价格补偿",
            "by service-price adjustment",
            f"{_yuan(loss)} × {_pct(rules.price_share)}",
            _yuan(price),
            cite["shares"],
        ),
        Step(
            "government_share",
            "政府投入补偿",
            "by government funding",
            f"{_yuan(loss)} × {_pct(rules.government_share)}",
            _yuan(government),
            cite["shares"],
        ),
        Step(
            "hospital_share",
            "医院自行消化",
            "by the hospital's savings",
            f"{_yuan(loss)} − {_yuan(price)} − {_yuan(government)}（≈ {_pct(rules.hospital_share)}）",
            _yuan(hospital),
            cite["shares"],
        ),
        Step(
            "top_up_months",
            "调价到位前的月数 m",
            "months before prices were adjusted (m)",
            f"调价生效日 {adjusted_on.isoformat()}" if adjusted_on else "当年未调价",
            str(months),
            cite["top_up"],
        ),
        Step(
            "top_up",
            "政府动态兜底",
            "government top-up until prices are adjusted",
            f"{_yuan(price)} × {months} ÷ {in_force}",
            _yuan(top_up),
            cite["top_up"],
        ),
        Step(
            "price_borne",
            "调价实际承担",
            "carried by the adjusted prices",
            f"{_yuan(price)} − {_yuan(top_up)}",
            _yuan(price_borne),
        ),
        Step(
            "government_total",
            "政府补偿合计",
            "government in total",
            f"{_yuan(government)} + {_yuan(top_up)}",
            _yuan(government_total),
        ),
    ]
    return Compensation(
        year=year,
        drug_cost=drug_cost,
        excluded_cost=excluded_cost,
        annual_loss=annual,
        months_in_force=in_force,
        loss=loss,
        price_share=price,
        government_share=government,
        hospital_share=hospital,
        top_up_months=months,
        top_up=top_up,
        price_borne=price_borne,
        government_total=government_total,
        steps=tuple(steps),
    )
