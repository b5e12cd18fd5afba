"""The set-based face (事后): one DuckDB query per rule family over the ``claims`` and ``lines``
relations (frames.py), months of claims at once.

Each query returns (claim_id, line_no, code, observed, limit) — the same hit the per-claim family
yields — and the finding is made by the same function, so the two faces can be compared field by field.
"""

# The queries are assembled from constants and values of the schema-checked rule file and knowledge
# tables (codes, day counts), never from user input; S608 does not apply.
# ruff: noqa: S608, E501
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

import duckdb
import pyarrow as pa

from sanyi.supervision.catalog import INSURANCE_CODES, LEVEL_NUMBERS, SEX_CODES, Catalog, catalog
from sanyi.supervision.check import finding
from sanyi.supervision.model import Finding, Rule

_VISIT: Final = (
    "CASE c.type WHEN 'inpatient' THEN '住院' WHEN 'outpatient' THEN '门诊' "
    "WHEN 'emergency' THEN '急诊' ELSE '药店购药' END"
)
_YEARS: Final = (
    "(year(c.start_day) - year(c.birth_date) - CASE WHEN month(c.start_day) * 100 + day(c.start_day)"
    " < month(c.birth_date) * 100 + day(c.birth_date) THEN 1 ELSE 0 END)"
)


def _list(values: Iterable[Any]) -> str:
    """A SQL list literal of validated rule-file values (ids, codes, numbers)."""
    return (
        "("
        + ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)
        + ")"
    )


def scope(rule: Rule) -> str:
    return f"c.type IN {_list(rule.scenes)} AND c.level IN {_list(rule.levels)}"


def _knowledge(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[Any]]) -> None:
    con.register(name, pa.table(columns))


def _value_table(
    con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog, extra: Callable[[str], Any] | None = None
) -> None:
    table = cat.values[rule.knowledge or ""]
    codes = sorted(table)
    columns: dict[str, list[Any]] = {"code": codes, "value": [table[c] for c in codes]}
    if extra is not None:
        columns["extra"] = [extra(table[c]) for c in codes]
    _knowledge(con, "k", columns)


def _code_sex(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _value_table(con, rule, cat, lambda v: SEX_CODES[v])
    return f"""
    SELECT l.claim_id, l.no, l.code, CASE c.sex WHEN '1' THEN '男' ELSE '女' END, k.value
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    WHERE {scope(rule)} AND c.sex IN ('1', '2') AND k.extra <> c.sex"""


def _code_population(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _value_table(con, rule, cat)
    p = rule.parameters
    days = "(c.start_day - c.birth_date)"
    return f"""
    SELECT l.claim_id, l.no, l.code,
           CASE WHEN k.value = '新生儿' THEN {days} || '天' ELSE {_YEARS} || '岁' END, k.value
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    WHERE {scope(rule)} AND c.birth_date IS NOT NULL AND NOT (CASE k.value
        WHEN '新生儿' THEN {days} <= {int(p["newborn_days"])}
        WHEN '婴幼儿' THEN {_YEARS} < {int(p["infant_years"])}
        ELSE {_YEARS} < {int(p["child_years"])} END)"""


def _working_age(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _knowledge(con, "k", {"code": sorted(cat.working_age)})
    p = rule.parameters
    low, male, female = int(p["min_age"]), int(p["max_age_male"]), int(p["max_age_female"])
    top = f"CASE c.sex WHEN '1' THEN {male} ELSE {female} END"
    return f"""
    SELECT l.claim_id, l.no, l.code, {_YEARS}, '{low}-' || {top}
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    WHERE {scope(rule)} AND c.birth_date IS NOT NULL AND c.sex IN ('1', '2')
      AND NOT ({_YEARS} >= {low} AND {_YEARS} < {top})"""


def _insurance_type(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _value_table(con, rule, cat, lambda v: INSURANCE_CODES[v])
    return f"""
    SELECT l.claim_id, l.no, l.code,
           CASE c.insurance_type WHEN 'basic' THEN '基本医疗保险' WHEN 'work_injury' THEN '工伤保险'
                WHEN 'maternity' THEN '生育保险' ELSE c.insurance_type END, k.value
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    WHERE {scope(rule)} AND k.extra <> c.insurance_type"""


def _visit_type(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _value_table(con, rule, cat)
    return f"""
    SELECT l.claim_id, l.no, l.code, {_VISIT}, k.value
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    WHERE {scope(rule)} AND (k.value = '住院') <> (c.type = 'inpatient')"""


def _institution_level(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _value_table(con, rule, cat, lambda v: LEVEL_NUMBERS[v])
    return f"""
    SELECT l.claim_id, l.no, l.code, c.level, k.extra
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    WHERE {scope(rule)} AND k.extra > c.level"""


def _drug_course(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    _value_table(con, rule, cat, int)
    return f"""
    WITH d AS (
      SELECT l.claim_id, l.code, l.day, greatest(max(coalesce(l.days_supply, 1)), 1) AS cover, any_value(k.extra) AS lim
      FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
      WHERE {scope(rule)} GROUP BY l.claim_id, l.code, l.day),
    r AS (SELECT *, sum(cover) OVER (PARTITION BY claim_id, code ORDER BY day ROWS UNBOUNDED PRECEDING) AS total FROM d)
    SELECT l.claim_id, l.no, l.code, r.total, r.lim
    FROM r JOIN lines l ON l.claim_id = r.claim_id AND l.code = r.code AND l.day = r.day
    WHERE r.total > r.lim"""


def _item_course(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    codes = sorted(cat.item_course)
    _knowledge(con, "k", {"code": codes, "lim": [cat.item_course[c] for c in codes]})
    restart = int(rule.parameters["restart_days"])
    return f"""
    WITH u AS (
      SELECT DISTINCT c.person_id, l.code, l.day FROM lines l JOIN claims c ON c.claim_id = l.claim_id
      JOIN k ON k.code = l.code),
    g AS (SELECT *, CASE WHEN lag(day) OVER w IS NULL OR day - lag(day) OVER w > {restart} THEN 1 ELSE 0 END AS fresh
          FROM u WINDOW w AS (PARTITION BY person_id, code ORDER BY day)),
    n AS (SELECT *, sum(fresh) OVER (PARTITION BY person_id, code ORDER BY day ROWS UNBOUNDED PRECEDING) AS course FROM g),
    s AS (SELECT *, min(day) OVER (PARTITION BY person_id, code, course) AS first_day FROM n)
    SELECT l.claim_id, l.no, l.code, l.day - s.first_day, k.lim
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code
    JOIN s ON s.person_id = c.person_id AND s.code = l.code AND s.day = l.day
    WHERE {scope(rule)} AND l.day - s.first_day >= k.lim"""


def _duplicate_charge(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    pairs = sorted(
        {p for group in cat.included.values() for p in group},
        key=lambda p: (p.included_code, p.main_code, p.window),
    )
    _knowledge(
        con,
        "k",
        {
            "win": [p.window for p in pairs],
            "main_code": [p.main_code for p in pairs],
            "included_code": [p.included_code for p in pairs],
            "hours": [int(p.window.removesuffix("小时")) if p.window[0].isdigit() else None for p in pairs],
        },
    )
    return f"""
    SELECT i.claim_id, i.no, i.code, min([k.main_code, k.win]) AS m, NULL
    FROM lines i JOIN claims c ON c.claim_id = i.claim_id JOIN k ON k.included_code = i.code
    JOIN lines m ON m.claim_id = i.claim_id AND m.code = k.main_code AND m.no <> i.no
    WHERE {scope(rule)} AND (k.win = '单次就诊' OR (k.win = '单日' AND i.day = m.day)
       OR (k.win = '同一小时' AND i.time // 3600 = m.time // 3600)
       OR (k.hours IS NOT NULL AND abs(i.time - m.time) < k.hours * 3600))
    GROUP BY i.claim_id, i.no, i.code"""


def _frequency(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    codes = sorted(cat.frequency)
    _knowledge(
        con,
        "k",
        {
            "code": codes,
            "lim": [cat.frequency[c][0] for c in codes],
            "per": [cat.frequency[c][1] for c in codes],
        },
    )
    return f"""
    WITH r AS (
      SELECT l.claim_id, l.no, l.code, k.lim, k.per,
             sum(l.quantity) OVER (PARTITION BY l.claim_id, l.code,
               CASE WHEN k.per = '小时' THEN l.time // 3600 ELSE l.day - DATE '1970-01-01' END
               ORDER BY l.time, l.no ROWS UNBOUNDED PRECEDING) AS running
      FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code WHERE {scope(rule)})
    SELECT claim_id, no, code, CASE WHEN per = '小时' THEN '小时' ELSE '日' END, lim FROM r WHERE running > lim"""


def _cycle(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    codes = sorted(cat.cycle)
    _knowledge(
        con,
        "k",
        {"code": codes, "times": [cat.cycle[c][0] for c in codes], "days": [cat.cycle[c][1] for c in codes]},
    )
    return f"""
    WITH u AS (SELECT c.person_id, l.claim_id, l.no, l.code, l.time, l.day, l.quantity
               FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code)
    SELECT a.claim_id, a.no, a.code, sum(b.quantity), any_value(k.days) || '天'
    FROM u a JOIN claims c ON c.claim_id = a.claim_id JOIN k ON k.code = a.code
    JOIN u b ON b.person_id = a.person_id AND b.code = a.code AND a.day - b.day < k.days
      AND (b.time < a.time OR (b.time = a.time AND (b.claim_id < a.claim_id OR (b.claim_id = a.claim_id AND b.no <= a.no))))
    WHERE {scope(rule)}
    GROUP BY a.claim_id, a.no, a.code HAVING sum(b.quantity) > any_value(k.times)"""


def _primary_secondary(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    codes = sorted(cat.surgery_groups)
    pairs = [(code, group) for code in codes for group in cat.surgery_groups[code]]
    _knowledge(con, "k", {"code": [p[0] for p in pairs], "grp": [p[1] for p in pairs]})
    discount = str(rule.parameters["discount"])
    return f"""
    WITH r AS (
      SELECT l.claim_id, l.no, l.code, l.quantity,
             row_number() OVER (PARTITION BY l.claim_id, k.grp ORDER BY l.unit_price DESC, l.no) AS rank
      FROM lines l JOIN claims c ON c.claim_id = l.claim_id JOIN k ON k.code = l.code WHERE {scope(rule)})
    SELECT DISTINCT claim_id, no, code, quantity, CAST('{discount}' AS DECIMAL(18,4))
    FROM r WHERE rank > 1 AND quantity > CAST('{discount}' AS DECIMAL(18,4))"""


def _split_admission(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    days = int(rule.parameters["days"])
    exempt = (
        " OR ".join(f"starts_with(c.principal, '{x}')" for x in rule.parameters["exempt_diagnoses"])
        or "false"
    )
    return f"""
    WITH p AS (
      SELECT *, lag(claim_id) OVER w AS prev_id, lag(end_day) OVER w AS prev_end, lag(principal) OVER w AS prev_principal
      FROM claims WHERE type = 'inpatient' WINDOW w AS (PARTITION BY person_id ORDER BY start, claim_id))
    SELECT c.claim_id, NULL, c.prev_id, c.start_day - c.prev_end, {days}
    FROM p c WHERE {scope(rule)} AND c.prev_id IS NOT NULL AND c.principal IS NOT NULL AND c.prev_principal IS NOT NULL
      AND NOT ({exempt}) AND c.start_day - c.prev_end BETWEEN 0 AND {days}
      AND left(c.principal, 3) = left(c.prev_principal, 3)"""


def _overlapping_stay(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    return f"""
    SELECT c.claim_id, NULL, min(s.claim_id),
           any_value({_VISIT} || ' ' || CAST(c.start_day AS VARCHAR)),
           arg_min(CAST(s.start_day AS VARCHAR) || '至' || CAST(s.end_day AS VARCHAR), s.claim_id)
    FROM claims c JOIN claims s ON s.person_id = c.person_id AND s.type = 'inpatient' AND s.claim_id <> c.claim_id
      AND s.start_day < c.start_day AND c.start_day < s.end_day
    WHERE {scope(rule)} AND (c.type <> 'inpatient' OR s.start < c.start OR (s.start = c.start AND s.claim_id < c.claim_id))
    GROUP BY c.claim_id"""


def _excess_supply(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    p = rule.parameters
    chronic = "[" + ", ".join(f"'{d}'" for d in p["chronic_diagnoses"]) + "]::VARCHAR[]"
    limit = (
        f"CASE WHEN list_has_any(c.diagnoses, {chronic}) THEN {int(p['chronic_days'])} "
        f"WHEN c.type = 'emergency' THEN {int(p['emergency_days'])} ELSE {int(p['outpatient_days'])} END"
    )
    return f"""
    SELECT l.claim_id, l.no, l.code, l.days_supply, {limit}
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id
    WHERE {scope(rule)} AND l.days_supply IS NOT NULL AND l.days_supply > {limit}"""


def _over_price(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    return f"""
    SELECT l.claim_id, l.no, l.code, l.unit_price, l.price_ceiling
    FROM lines l JOIN claims c ON c.claim_id = l.claim_id
    WHERE {scope(rule)} AND l.price_ceiling IS NOT NULL AND l.unit_price > l.price_ceiling"""


def _repeat_test(con: duckdb.DuckDBPyConnection, rule: Rule, cat: Catalog) -> str:
    prefixes = " OR ".join(f"starts_with(l.code, '{x}')" for x in rule.parameters["code_prefixes"]) or "false"
    window = int(rule.parameters["window_days"])
    return f"""
    WITH t AS (SELECT c.person_id, c.institution_id, l.claim_id, l.no, l.code, l.time, l.day
               FROM lines l JOIN claims c ON c.claim_id = l.claim_id WHERE {prefixes})
    SELECT a.claim_id, a.no, a.code, max(b.day), {window}
    FROM t a JOIN claims c ON c.claim_id = a.claim_id
    JOIN t b ON b.person_id = a.person_id AND b.code = a.code AND b.institution_id <> a.institution_id
      AND b.claim_id <> a.claim_id AND b.time < a.time AND a.day - b.day BETWEEN 0 AND {window}
    WHERE {scope(rule)} GROUP BY a.claim_id, a.no, a.code"""


QUERIES: dict[str, Callable[[duckdb.DuckDBPyConnection, Rule, Catalog], str]] = {
    "code_sex": _code_sex,
    "code_population": _code_population,
    "working_age": _working_age,
    "insurance_type": _insurance_type,
    "visit_type": _visit_type,
    "institution_level": _institution_level,
    "drug_course": _drug_course,
    "item_course": _item_course,
    "duplicate_charge": _duplicate_charge,
    "frequency": _frequency,
    "cycle": _cycle,
    "primary_secondary": _primary_secondary,
    "split_admission": _split_admission,
    "overlapping_stay": _overlapping_stay,
    "excess_supply": _excess_supply,
    "over_price": _over_price,
    "repeat_test": _repeat_test,
}


def _hit(rule: Rule, row: tuple[Any, ...]) -> Finding:
    claim_id, line_no, code, observed, limit = row
    if rule.family == "duplicate_charge":
        (observed, limit) = observed
    return finding(rule, claim_id, (line_no, code, observed, limit))


def run_rules(con: duckdb.DuckDBPyConnection, rules: Iterable[Rule]) -> list[Finding]:
    """Every finding of the rules over the ``claims`` and ``lines`` of ``con``, ordered by claim, line, rule."""
    cat = catalog()
    found: list[Finding] = []
    for rule in rules:
        sql = QUERIES[rule.family](con, rule, cat)
        found.extend(_hit(rule, row) for row in con.execute(sql).fetchall())
    found.sort(key=lambda f: (f.claim_id, -1 if f.line_no is None else f.line_no, f.rule_id))
    return found
