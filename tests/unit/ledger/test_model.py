"""The ledger's status machine, overdue derivation and who may report for a department."""

from datetime import date

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.ledger.api import Action, Status, is_overdue, next_status
from sanyi.ledger.model import may_report

S = Status


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (S.NOT_STARTED, Action.REPORT, S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.REPORT, S.IN_PROGRESS),
        (S.NOT_STARTED, Action.SUBMIT, S.AWAITING_VERIFICATION),
        (S.IN_PROGRESS, Action.SUBMIT, S.AWAITING_VERIFICATION),
        (S.AWAITING_VERIFICATION, Action.VERIFY, S.AWAITING_VERIFICATION),
        (S.AWAITING_VERIFICATION, Action.REJECT, S.IN_PROGRESS),
        (S.AWAITING_VERIFICATION, Action.APPROVE, S.CLOSED),
        (S.IN_PROGRESS, Action.ADJUST, S.IN_PROGRESS),
        (S.NOT_STARTED, Action.FLAG, S.NOT_STARTED),
    ],
)
def test_legal_transitions(start: Status, action: Action, end: Status) -> None:
    assert next_status("T-1", start, action) is end


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (S.NOT_STARTED, Action.APPROVE),
        (S.IN_PROGRESS, Action.APPROVE),
        (S.IN_PROGRESS, Action.VERIFY),
        (S.NOT_STARTED, Action.REJECT),
        (S.AWAITING_VERIFICATION, Action.REPORT),
        (S.AWAITING_VERIFICATION, Action.SUBMIT),
        (S.CLOSED, Action.REPORT),
        (S.CLOSED, Action.ADJUST),
        (S.CLOSED, Action.FLAG),
        (S.CLOSED, Action.APPROVE),
    ],
)
def test_illegal_transitions_raise_a_stable_bilingual_error(start: Status, action: Action) -> None:
    with pytest.raises(DomainError) as caught:
        next_status("T-1", start, action)
    assert caught.value.code == "LEDGER_ILLEGAL_TRANSITION"
    assert start.value in caught.value.message_zh and action.zh in caught.value.message_zh
    assert start.en in caught.value.message_en


def test_overdue_is_derived_from_deadline_and_today() -> None:
    deadline = date(2017, 12, 31)
    assert not is_overdue(S.IN_PROGRESS, deadline, date(2017, 12, 31))  # due today is not late yet
    assert is_overdue(S.IN_PROGRESS, deadline, date(2018, 1, 1))
    assert is_overdue(S.AWAITING_VERIFICATION, deadline, date(2018, 1, 1))
    assert not is_overdue(S.CLOSED, deadline, date(2030, 1, 1))
    assert not is_overdue(S.NOT_STARTED, None, date(2030, 1, 1))


def test_department_users_report_for_their_departments_and_the_office_for_the_rest() -> None:
    commission = frozenset({"health_commission"})
    assert may_report("health_commission", commission)
    assert not may_report("insurance_bureau", commission)
    assert not may_report("reform_office", commission)
    assert may_report("reform_office", frozenset())
    assert not may_report("health_commission", frozenset())
