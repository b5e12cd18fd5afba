"""What the grouper reads and returns: a parsed record, a result and the steps of its trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

INPUT_COLUMNS: Final = (
    "id",
    "sex",
    "age",
    "age_days",
    "weight_g",
    "dept",
    "los_days",
    "discharge_type",
    "diagnoses",
    "procedures",
)
RESULT_COLUMNS: Final = ("status", "mdc", "adrg", "drg", "drg_name", "trail")

SUCCESS: Final = "SUCCESS"
AMBIGUOUS: Final = "QY"
FAIL: Final = "FAIL"
INVALID: Final = "INVALID"
UNKNOWN_DIAGNOSIS: Final = "UNKNOWN_DIAGNOSIS_CODE"
UNKNOWN_PROCEDURE: Final = "UNKNOWN_PROCEDURE_CODE"
STATUSES: Final = (SUCCESS, AMBIGUOUS, FAIL, INVALID, UNKNOWN_DIAGNOSIS, UNKNOWN_PROCEDURE)
NO_GROUP: Final = "0000"


class Record:
    """A record with codes already translated to grouper codes.

    Slots rather than a dataclass: the grouper reads these attributes millions of times. ``mcc`` and
    ``cc`` are filled lazily by the scheme the first time a condition asks (they depend on its tables).
    """

    __slots__ = (
        "age",
        "age_days",
        "cc",
        "dept",
        "dx",
        "main_dx",
        "main_proc",
        "mcc",
        "procs",
        "secondary",
        "sex",
        "weight",
    )

    def __init__(
        self,
        sex: str,
        age: int,
        age_days: int | None,
        weight: int | None,
        dept: str,
        dx: tuple[str, ...],
        procs: tuple[str, ...],
    ) -> None:
        self.sex = sex
        self.age = age
        self.age_days = age_days
        self.weight = weight
        self.dept = dept
        self.dx = dx
        self.main_dx = dx[0]
        self.secondary = dx[1:]
        self.procs = procs
        self.main_proc = procs[0] if procs else None
        self.mcc: bool | None = None
        self.cc: bool | None = None

    def with_only_procedure(self, code: str) -> Record:
        """The same case with one procedure: how a retry regroups it (CC/MCC do not change)."""
        other = Record(self.sex, self.age, self.age_days, self.weight, self.dept, self.dx, (code,))
        other.mcc, other.cc = self.mcc, self.cc
        return other


class TrailStep(NamedTuple):
    """One decision of the grouper; ``kind`` names the decision, ``args`` fill its message.

    A named tuple: cheap to make, and a trail holds a dozen of them per record."""

    kind: str
    args: tuple[str, ...] = ()
    because: tuple[TrailStep, ...] = ()  # the facts that made this decision hold


class GroupResult:
    """The group of one record. The trail is worked out on first access: bulk runs that only need
    the group do not pay for it, and it is the same whenever it is asked for."""

    __slots__ = ("_explain", "_trail", "adrg", "drg", "drg_name", "mdc", "row_id", "status")

    def __init__(
        self,
        status: str,
        mdc: str,
        adrg: str,
        drg: str,
        drg_name: str,
        row_id: str = "",
        trail: tuple[TrailStep, ...] | None = None,
        explain: Callable[[], tuple[TrailStep, ...]] | None = None,
    ) -> None:
        self.status = status
        self.mdc = mdc
        self.adrg = adrg
        self.drg = drg
        self.drg_name = drg_name
        self.row_id = row_id
        self._trail = trail
        self._explain = explain

    @property
    def trail(self) -> tuple[TrailStep, ...]:
        if self._trail is None:
            self._trail = self._explain() if self._explain is not None else ()
            self._explain = None
        return self._trail

    @property
    def grouped(self) -> bool:
        return self.status in (SUCCESS, AMBIGUOUS)

    def key(self) -> tuple[str, str, str, str]:
        return (self.status, self.mdc, self.adrg, self.drg)

    def __repr__(self) -> str:
        return f"GroupResult({self.status}, {self.mdc}, {self.adrg}, {self.drg})"
