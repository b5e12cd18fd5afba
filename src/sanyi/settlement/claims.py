"""Reading a claim record (contracts/claim.md) into the model, and writing results back.

Every problem is a :class:`DomainError` naming the field path (``lines[3].unit_price``); amounts
and proportions must be decimal strings (or integers), never floats. Unknown extra fields are
ignored. Refund lines (negative quantity) must refund an earlier line of the same claim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import to_decimal
from sanyi.settlement.errors import (
    SETTLEMENT_DUPLICATE_LINE,
    SETTLEMENT_INVALID_FIELD,
    SETTLEMENT_MISSING_FIELD,
    SETTLEMENT_REFUND_WITHOUT_ORIGINAL,
)
from sanyi.settlement.model import (
    ASSISTANCE,
    ENCOUNTER_TYPES,
    FEE_CATEGORIES,
    GROUPS,
    INSURANCE_TYPES,
    LINE_CLASSES,
    OFFSITE_CATEGORIES,
    SCHEMES,
    TIER_CLASSES,
    Accumulators,
    Claim,
    Encounter,
    Institution,
    Line,
    Person,
    Referral,
    Settlement,
    Split,
)

REGION_CODE: Final = re.compile(r"[0-9]{6}")
# The money fields of a result's split, in the national 2304 order.
SPLIT_FIELDS: Final = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "pool_prop",
    "hifp_pay",
    "hifmi_pay",
    "maf_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
)
_MISSING: Final = object()
_NONE: Final = Decimal(0)


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up (away from zero on .5), in integers: exact and fast."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def _invalid(path: str, value: Any, reason: str, reason_zh: str) -> DomainError:
    return DomainError(
        SETTLEMENT_INVALID_FIELD, path=path, field=path, value=str(value), reason=reason, reason_zh=reason_zh
    )


def _get(record: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    value = record.get(key, _MISSING)
    if value is _MISSING or (value is None and default is _MISSING):
        if default is _MISSING:
            full = f"{path}.{key}" if path else key
            raise DomainError(SETTLEMENT_MISSING_FIELD, path=full, field=full)
        return default
    return value


def _object(record: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = _get(record, key, path)
    full = f"{path}.{key}" if path else key
    if not isinstance(value, Mapping):
        raise _invalid(full, value, "must be an object", "应为对象")
    return value


def _text(record: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    value = _get(record, key, path, default)
    if value is default and default is not _MISSING:
        return value
    if not isinstance(value, str) or not value.strip():
        raise _invalid(
            f"{path}.{key}" if path else key, value, "must be a non-empty string", "应为非空字符串"
        )
    return value


def _choice(
    record: Mapping[str, Any], key: str, path: str, choices: frozenset[str], default: Any = _MISSING
) -> Any:
    value = _get(record, key, path, default)
    if value is default and default is not _MISSING:
        return value
    if value not in choices:
        raise _invalid(
            f"{path}.{key}",
            value,
            f"must be one of {', '.join(sorted(choices))}",
            f"应为 {'、'.join(sorted(choices))} 之一",
        )
    return value


def _flag(record: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    value = _get(record, key, path, default)
    if not isinstance(value, bool):
        raise _invalid(f"{path}.{key}", value, "must be true or false", "应为 true 或 false")
    return value


def _tier(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in TIER_CLASSES:
        raise _invalid(path, value, "must be 3, 2, 1 or 0", "应为 3、2、1 或 0")
    return value


def _moment(record: Mapping[str, Any], key: str, path: str, *, required: bool) -> datetime | None:
    value = _get(record, key, path, _MISSING if required else None)
    if value is None:
        return None
    full = f"{path}.{key}"
    if not isinstance(value, str):
        raise _invalid(full, value, "must be an ISO 8601 time with offset", "应为带时区的 ISO 8601 时间")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _invalid(
            full, value, "must be an ISO 8601 time with offset", "应为带时区的 ISO 8601 时间"
        ) from None
    if moment.tzinfo is None:
        raise _invalid(full, value, "needs a UTC offset (e.g. +08:00)", "缺少时区偏移（如 +08:00）")
    return moment


def _number(record: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Decimal | None:
    value = record.get(key)
    if value is None:
        return None if optional else _get(record, key, path)  # _get raises the missing field
    if type(value) is str:  # the usual case, parsed here without to_decimal's checks of other types
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite():
            return number
    elif isinstance(value, float):
        raise _invalid(
            f"{path}.{key}", value, "must be a decimal string, not a float", "应为十进制字符串，不能是浮点数"
        )
    else:
        try:
            return to_decimal(value)
        except DomainError:
            pass
    raise _invalid(f"{path}.{key}", value, "not a decimal number", "不是有效的十进制数")


def parse_person(record: Mapping[str, Any]) -> Person:
    raw = _object(record, "person", "")
    scheme = _choice(raw, "scheme", "person", SCHEMES)
    birth = raw.get("birth_date")
    birth_date: date | None = None
    if birth is not None:
        try:
            birth_date = date.fromisoformat(str(birth))
        except ValueError:
            raise _invalid(
                "person.birth_date", birth, "must be a date YYYY-MM-DD", "应为日期 YYYY-MM-DD"
            ) from None
    home = _text(raw, "home_region", "person")
    if not REGION_CODE.fullmatch(home):
        raise _invalid("person.home_region", home, "must be a 6-digit division code", "应为6位行政区划代码")
    return Person(
        id=_text(raw, "id", "person"),
        scheme=scheme,
        group=_choice(raw, "group", "person", GROUPS[scheme]),
        home_region=home,
        assistance=_choice(raw, "assistance", "person", ASSISTANCE, None),
        insurance_type=_choice(raw, "insurance_type", "person", INSURANCE_TYPES, "basic"),
        sex=raw.get("sex"),
        birth_date=birth_date,
    )


def parse_encounter(record: Mapping[str, Any]) -> Encounter:
    raw = _object(record, "encounter", "")
    inst = _object(raw, "institution", "encounter")
    path = "encounter.institution"
    institution = Institution(
        id=_text(inst, "id", path),
        tier=_tier(_get(inst, "tier", path), f"{path}.tier"),
        primary_care=_flag(inst, "primary_care", path, False),
        region=_text(inst, "region", path, ""),
        kind=_text(inst, "kind", path, "general"),
        named_provincial=_flag(inst, "named_provincial", path, False),
    )
    referral_raw = raw.get("referral")
    referral: Referral | None = None
    if referral_raw is not None:
        if not isinstance(referral_raw, Mapping):
            raise _invalid("encounter.referral", referral_raw, "must be an object or null", "应为对象或 null")
        from_tier = referral_raw.get("from_tier")
        referral = Referral(
            id=str(referral_raw.get("id") or ""),
            direction=_choice(referral_raw, "direction", "encounter.referral", frozenset({"up", "down"})),
            from_institution=referral_raw.get("from_institution"),
            from_tier=None if from_tier is None else _tier(from_tier, "encounter.referral.from_tier"),
        )
    start = _moment(raw, "start", "encounter", required=True)
    assert start is not None
    end = _moment(raw, "end", "encounter", required=False)
    if end is not None and end < start:
        raise _invalid("encounter.end", raw["end"], "is before the start", "早于开始时间")
    return Encounter(
        type=_choice(raw, "type", "encounter", ENCOUNTER_TYPES),
        institution=institution,
        start=start,
        end=end,
        referral=referral,
        emergency=_flag(raw, "emergency", "encounter", False),
        offsite=_choice(raw, "offsite", "encounter", OFFSITE_CATEGORIES, None),
    )


def parse_line(raw: Any, index: int) -> Line:
    path = f"lines[{index}]"
    if type(raw) is not dict and not isinstance(raw, Mapping):  # the exact type first: a line is hot
        raise _invalid(path, raw, "must be an object", "应为对象")
    no = _get(raw, "no", path)
    if isinstance(no, bool) or not isinstance(no, int):
        raise _invalid(f"{path}.no", no, "must be an integer", "应为整数")
    line_class = _choice(raw, "class", path, LINE_CLASSES)
    selfpay = _number(raw, "selfpay_prop", path, optional=True) or _NONE
    if not 0 <= selfpay <= 1:
        raise _invalid(
            f"{path}.selfpay_prop", raw.get("selfpay_prop"), "must be between 0 and 1", "应在 0 到 1 之间"
        )
    quantity = _number(raw, "quantity", path)
    unit_price = _number(raw, "unit_price", path)
    assert quantity is not None and unit_price is not None
    if quantity == 0:
        raise _invalid(f"{path}.quantity", raw["quantity"], "must not be zero", "不能为零")
    if unit_price < 0:
        raise _invalid(f"{path}.unit_price", raw["unit_price"], "must not be negative", "不能为负数")
    ceiling = _number(raw, "price_ceiling", path, optional=True)
    if ceiling is not None and ceiling < 0:
        raise _invalid(f"{path}.price_ceiling", raw["price_ceiling"], "must not be negative", "不能为负数")
    q_num, q_den = quantity.as_integer_ratio()
    p_num, p_den = unit_price.as_integer_ratio()
    overlimit = 0
    if line_class != "C" and ceiling is not None and unit_price > ceiling:
        e_num, e_den = (unit_price - ceiling).as_integer_ratio()
        overlimit = round_half_up(q_num * e_num * 100, q_den * e_den)
    return Line(
        no=no,
        code=_text(raw, "code", path),
        name=str(raw.get("name") or ""),
        category=_choice(raw, "category", path, FEE_CATEGORIES),
        line_class=line_class,
        # 甲类 is fully in the policy range whatever proportion is written on it.
        selfpay_prop=selfpay if line_class == "B" else _NONE,
        quantity=quantity,
        unit_price=unit_price,
        price_ceiling=ceiling,
        amount=round_half_up(q_num * p_num * 100, q_den * p_den),
        overlimit=overlimit,
    )


def _check_refunds(lines: list[Line]) -> None:
    """A negative quantity refunds an earlier line of the same item and price, never more than it had."""
    remaining: dict[tuple[str, Decimal], Decimal] = {}
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if line.no in seen:
            raise DomainError(SETTLEMENT_DUPLICATE_LINE, path=f"lines[{index}].no", no=line.no)
        seen.add(line.no)
        key = (line.code, line.unit_price)
        if line.quantity > 0:
            remaining[key] = remaining.get(key, Decimal(0)) + line.quantity
            continue
        left = remaining.get(key, Decimal(0))
        if left < -line.quantity:
            raise DomainError(
                SETTLEMENT_REFUND_WITHOUT_ORIGINAL,
                path=f"lines[{index}].quantity",
                no=line.no,
                code=line.code,
            )
        remaining[key] = left + line.quantity


def parse_claim(record: Any) -> Claim:
    """One claim.md record → :class:`Claim`, or a DomainError naming the field path."""
    if not isinstance(record, Mapping):
        raise _invalid("$", type(record).__name__, "a claim must be a JSON object", "单据应为 JSON 对象")
    claim_id = _text(record, "claim_id", "")
    person = parse_person(record)
    encounter = parse_encounter(record)
    raw_lines = _get(record, "lines", "")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise _invalid("lines", raw_lines, "must be a non-empty list", "应为非空列表")
    lines = [parse_line(raw, index) for index, raw in enumerate(raw_lines)]
    _check_refunds(lines)
    return Claim(claim_id=claim_id, person=person, encounter=encounter, lines=tuple(lines))


# -- results -----------------------------------------------------------------------------------------


def yuan(fen: int) -> str:
    """Integer fen as a decimal string of yuan with two places ("-12.05")."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def ratio_text(ratio: Decimal) -> str:
    """A ratio with at least two places ("0.80", "0.775")."""
    return str(ratio.quantize(Decimal("0.01"))) if ratio == ratio.quantize(Decimal("0.01")) else str(ratio)


def accumulator_fields(values: Accumulators) -> dict[str, Any]:
    """Accumulators as in the result record: amounts as yuan strings, stays as counts."""
    record: dict[str, Any] = {"year": values.year}
    for key, value in values.to_fields().items():
        record[key] = value if key.endswith("_stays") else yuan(value)
    return record


def accumulator_record(settlement: Settlement) -> dict[str, Any]:
    return accumulator_fields(settlement.after)


def split_record(split: Split) -> dict[str, str]:
    """A split's money fields as yuan strings (the ratio as its text), in the 2304 order."""
    return {
        "medfee_sumamt": yuan(split.medfee_sumamt),
        "fulamt_ownpay_amt": yuan(split.fulamt_ownpay_amt),
        "overlmt_selfpay": yuan(split.overlmt_selfpay),
        "preselfpay_amt": yuan(split.preselfpay_amt),
        "inscp_scp_amt": yuan(split.inscp_scp_amt),
        "act_pay_dedc": yuan(split.act_pay_dedc),
        "pool_prop": ratio_text(split.pool_prop),
        "hifp_pay": yuan(split.hifp_pay),
        "hifmi_pay": yuan(split.hifmi_pay),
        "maf_pay": yuan(split.maf_pay),
        "fund_pay_sumamt": yuan(split.fund_pay_sumamt),
        "psn_part_amt": yuan(split.psn_part_amt),
    }


def summary_record(settlement: Settlement) -> dict[str, Any]:
    """A settled claim's id, status, policy and split: what the flat table shows of it."""
    return {
        "claim_id": settlement.claim_id,
        "status": "settled",
        "policy": settlement.policy,
        "split": split_record(settlement.split),
    }


def result_record(settlement: Settlement, *, explain: bool = True) -> dict[str, Any]:
    """A settled claim as the result object of claim.md."""
    record: dict[str, Any] = {
        **summary_record(settlement),
        "lines": [
            {
                "no": line.no,
                "total": yuan(line.total),
                "fulamt_ownpay_amt": yuan(line.fulamt_ownpay_amt),
                "overlmt_selfpay": yuan(line.overlmt_selfpay),
                "preselfpay_amt": yuan(line.preselfpay_amt),
                "inscp_scp_amt": yuan(line.inscp_scp_amt),
            }
            for line in settlement.lines
        ],
        "accumulators": accumulator_record(settlement),
    }
    if explain:
        record["trail"] = [trail_record(step) for step in settlement.trail]
    return record


def trail_record(step: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"step": step.step, "rule": step.rule}
    record["amount"] = None if step.amount is None else yuan(step.amount)
    if step.base is not None:
        record["base"] = yuan(step.base)
    if step.parameter is not None:
        record["parameter"] = step.parameter
    if step.source is not None:
        record["source"] = step.source
    if step.note is not None:
        record["note"] = step.note
    return record


def rejection_record(claim_id: Any, error: DomainError) -> dict[str, Any]:
    return {
        "claim_id": claim_id if isinstance(claim_id, str) else None,
        "status": "rejected",
        "error": {
            "code": error.code,
            "message_zh": error.message_zh,
            "message_en": error.message_en,
            "path": error.path,
        },
    }


# The flat table a clerk opens in Excel: one row per claim, the 2304 money fields, or the rejection.
TABLE_HEADER: Final = (
    "claim_id",
    "status",
    "policy",
    *SPLIT_FIELDS,
    "error_code",
    "error_path",
    "error_message_zh",
)


def table_row(result: Mapping[str, Any]) -> list[Any]:
    """A result or rejection record (``result_record``/``rejection_record``) as a row of TABLE_HEADER."""
    split = result.get("split", {})
    error = result.get("error") or {}
    return [
        result.get("claim_id"),
        result["status"],
        result.get("policy"),
        *[split.get(name) for name in SPLIT_FIELDS],
        error.get("code"),
        error.get("path"),
        error.get("message_zh"),
    ]
