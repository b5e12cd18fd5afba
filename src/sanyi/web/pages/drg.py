"""The DRG page: a coder enters or pastes a case, sees its group and trail, and tries what-ifs.

The case travels in the form (no storage): it holds no personal data, only codes and ages.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from sanyi.drg import api as grouper
from sanyi.web.context import language
from sanyi.web.templating import render

router = APIRouter(prefix="/drg", include_in_schema=False)

_SEPARATORS: Final = re.compile(r"[\s,|;，、；]+")
# A conformance case of zhejiang_2022 (…-1023) whose group changes with either what-if.
EXAMPLE: Final = {
    "sex": "2",
    "age": "45",
    "age_days": "16744",
    "weight_g": "0",
    "dept": "1301",
    "los_days": "6",
    "discharge_type": "4",
    "diagnoses": "M51.201|A19.200|D48.902|N73.500|R47.801",
    "procedures": "77.6902|88.4900|18.0900x002",
}


@dataclass(frozen=True, slots=True)
class Case:
    """The form's fields; code lists one code per item."""

    scheme: str
    sex: str = ""
    age: str = ""
    age_days: str = ""
    weight_g: str = ""
    dept: str = ""
    los_days: str = ""
    discharge_type: str = ""
    diagnoses: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()

    def row(self) -> dict[str, str]:
        return {
            "id": "",
            "sex": self.sex,
            "age": self.age,
            "age_days": self.age_days,
            "weight_g": self.weight_g,
            "dept": self.dept,
            "los_days": self.los_days,
            "discharge_type": self.discharge_type,
            "diagnoses": "|".join(self.diagnoses),
            "procedures": "|".join(self.procedures),
        }


def codes(text: str) -> tuple[str, ...]:
    return tuple(code for code in _SEPARATORS.split(text.strip()) if code)


def from_paste(scheme: str, text: str) -> Case | None:
    """A line in the columns of conformance_cases.csv (a header line may come first)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None
    values = next(csv.reader([lines[-1]]))
    if len(values) < len(grouper.INPUT_COLUMNS):
        return None
    field = dict(zip(grouper.INPUT_COLUMNS, (value.strip() for value in values), strict=False))
    return Case(
        scheme,
        field["sex"],
        field["age"],
        field["age_days"],
        field["weight_g"],
        field["dept"],
        field["los_days"],
        field["discharge_type"],
        codes(field["diagnoses"]),
        codes(field["procedures"]),
    )


def make_principal(items: tuple[str, ...], code: str) -> tuple[str, ...]:
    """``code`` first: moved up if listed (the old principal takes its place), else it replaces it."""
    if not code:
        return items
    if code in items:
        position = items.index(code)
        swapped = list(items)
        swapped[0], swapped[position] = swapped[position], swapped[0]
        return tuple(swapped)
    return (code, *items[1:])


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    result: grouper.GroupResult
    trail: list[str]
    problem: Any
    diagnosis_names: list[tuple[str, str]]
    procedure_names: list[tuple[str, str]]
    complications: dict[str, tuple[str, bool]]  # secondary diagnosis → (MCC or CC, excluded?)


def outcome(case: Case, lang: str) -> Outcome:
    result = grouper.group(case.row(), case.scheme)
    return Outcome(
        case,
        result,
        grouper.render_all(result.trail, lang),
        grouper.problem(result),
        [(code, grouper.diagnosis_name(code)) for code in case.diagnoses],
        [(code, grouper.procedure_name(code)) for code in case.procedures],
        {
            step.args[0]: (step.args[1], step.args[4] == "excluded")
            for step in result.trail
            if step.kind == "cc_found"
        },
    )


def _schemes() -> list[str]:
    return grouper.scheme_names()


def _scheme(name: str) -> str:
    names = _schemes()
    return name if name in names else ("zhejiang_2022" if "zhejiang_2022" in names else names[0])


@router.get("", response_class=HTMLResponse)
def page(request: Request, example: bool = False, scheme: str = "zhejiang_2022") -> HTMLResponse:
    fields = dict(EXAMPLE) if example else {}
    case = Case(
        _scheme(scheme),
        **{k: v for k, v in fields.items() if k not in ("diagnoses", "procedures")},
        diagnoses=codes(fields.get("diagnoses", "")),
        procedures=codes(fields.get("procedures", "")),
    )
    found = outcome(case, language(request)) if example else None
    return render(request, "drg/index.html", {"case": case, "schemes": _schemes(), "outcome": found})


FormText = Annotated[str, Form()]


def _case(
    scheme: str,
    sex: str,
    age: str,
    age_days: str,
    weight_g: str,
    dept: str,
    los_days: str,
    discharge_type: str,
    diagnoses: str,
    procedures: str,
) -> Case:
    return Case(
        _scheme(scheme),
        sex.strip(),
        age.strip(),
        age_days.strip(),
        weight_g.strip(),
        dept.strip(),
        los_days.strip(),
        discharge_type.strip(),
        codes(diagnoses),
        codes(procedures),
    )


@router.post("/group", response_class=HTMLResponse)
def group(
    request: Request,
    scheme: FormText,
    sex: FormText = "",
    age: FormText = "",
    age_days: FormText = "",
    weight_g: FormText = "",
    dept: FormText = "",
    los_days: FormText = "",
    discharge_type: FormText = "",
    diagnoses: FormText = "",
    procedures: FormText = "",
    paste: FormText = "",
) -> HTMLResponse:
    case = _case(scheme, sex, age, age_days, weight_g, dept, los_days, discharge_type, diagnoses, procedures)
    pasted = from_paste(case.scheme, paste) if paste.strip() else None
    found = outcome(pasted or case, language(request))
    context = {
        "case": found.case,
        "schemes": _schemes(),
        "outcome": found,
        "paste_failed": paste.strip() and not pasted,
    }
    if request.headers.get("hx-request"):
        return render(request, "drg/_workspace.html", context)
    return render(request, "drg/index.html", context)


@router.post("/what-if", response_class=HTMLResponse)
def what_if(
    request: Request,
    scheme: FormText,
    sex: FormText = "",
    age: FormText = "",
    age_days: FormText = "",
    weight_g: FormText = "",
    dept: FormText = "",
    los_days: FormText = "",
    discharge_type: FormText = "",
    diagnoses: FormText = "",
    procedures: FormText = "",
    principal_dx: FormText = "",
    principal_proc: FormText = "",
) -> HTMLResponse:
    case = _case(scheme, sex, age, age_days, weight_g, dept, los_days, discharge_type, diagnoses, procedures)
    changed = replace(
        case,
        diagnoses=make_principal(case.diagnoses, principal_dx.strip()),
        procedures=make_principal(case.procedures, principal_proc.strip()),
    )
    lang = language(request)
    before, after = outcome(case, lang), outcome(changed, lang)
    return render(
        request,
        "drg/_what_if.html",
        {"before": before, "after": after, "changed": before.result.key() != after.result.key()},
    )
