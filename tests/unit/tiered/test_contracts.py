from datetime import date

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.tiered.contracts import (
    Combination,
    Contract,
    ContractPolicy,
    ContractState,
    Load,
    SignRequest,
    Team,
    TerminationReason,
    capitation,
    expire,
    renew,
    sign,
    terminate,
)

TEAM = Team("T1", "张医生团队", "C1", 1, True, "GP1", "N1", "P1")
POLICY = ContractPolicy(gp_cap=2, team_cap=3)
ADULT = date(1960, 5, 1)


def request(person: str = "p1", **changes: object) -> SignRequest:
    values: dict[str, object] = {
        "id": f"k-{person}",
        "person_id": person,
        "birth_date": ADULT,
        "death_date": None,
        "team": TEAM,
        "package": "BASIC",
        "start": date(2024, 1, 1),
    }
    values.update(changes)
    return SignRequest(**values)  # type: ignore[arg-type]


def code_of(call: object) -> str:
    assert isinstance(call, pytest.ExceptionInfo)
    return str(call.value.code)


def test_sign_gives_a_one_year_active_contract() -> None:
    contract = sign(request(), None, Load(0, 0), POLICY)
    assert contract.state is ContractState.ACTIVE
    assert (contract.start, contract.end) == (date(2024, 1, 1), date(2024, 12, 30))


def test_minor_contract_ends_the_day_before_the_age_limit() -> None:
    contract = sign(request(birth_date=date(2006, 3, 10)), None, Load(0, 0), POLICY)
    assert contract.end == date(2024, 3, 9)
    ended = expire(contract, date(2024, 3, 10), date(2006, 3, 10), POLICY)
    assert ended is not None and ended.reason is TerminationReason.AGE_LIMIT


def test_no_two_active_contracts() -> None:
    active = sign(request(), None, Load(0, 0), POLICY)
    with pytest.raises(DomainError) as error:
        sign(request(id="k2"), active, Load(1, 1), POLICY)
    assert error.value.code == "CONTRACT_ALREADY_ACTIVE"


def test_gp_cap_refuses_and_correction_at_the_cap_is_allowed() -> None:
    active = sign(request(), None, Load(0, 0), POLICY)
    with pytest.raises(DomainError) as error:
        sign(request("p9"), None, Load(2, 2), POLICY)
    assert error.value.code == "CONTRACT_CAP_REACHED"
    corrected = sign(
        request(id="k-fix", package="KEY_CHRONIC", replaces=active.id), active, Load(2, 2), POLICY
    )
    assert corrected.previous == active.id


def test_team_cap() -> None:
    with pytest.raises(DomainError) as error:
        sign(request(), None, Load(0, 3), POLICY)
    assert error.value.code == "CONTRACT_CAP_REACHED" and "T1" in error.value.message_en


def test_deceased_team_and_combination_checks() -> None:
    with pytest.raises(DomainError) as error:
        sign(request(death_date=date(2023, 1, 1)), None, Load(0, 0), POLICY)
    assert error.value.code == "CONTRACT_RESIDENT_DECEASED"
    hospital_team = Team("T2", "x", "H1", 3, False, "GP1", "N1", "P1")
    with pytest.raises(DomainError) as error:
        sign(request(team=hospital_team), None, Load(0, 0), POLICY)
    assert error.value.code == "CONTRACT_TEAM_INVALID"
    with pytest.raises(DomainError) as error:
        sign(request(combination=Combination("H2", 3, "H3", 3)), None, Load(0, 0), POLICY)
    assert error.value.code == "CONTRACT_COMBINATION_INVALID"
    ok = sign(request(combination=Combination("H2", 2, "H3", 3)), None, Load(0, 0), POLICY)
    assert ok.combination is not None and ok.combination.includes("H3")


def test_terminate_and_renew_only_from_active() -> None:
    contract = sign(request(), None, Load(0, 0), POLICY)
    ended = terminate(contract, TerminationReason.MOVED_AWAY, date(2024, 6, 1))
    assert ended.state is ContractState.TERMINATED and ended.ended_on == date(2024, 6, 1)
    for action in (
        lambda: terminate(ended, TerminationReason.DEATH, date(2024, 7, 1)),
        lambda: renew(ended, "n", ADULT, POLICY),
    ):
        with pytest.raises(DomainError) as error:
            action()
        assert error.value.code == "TIERED_TRANSITION_REFUSED"
    old, new = renew(contract, "k-next", ADULT, POLICY)
    assert (
        old.state is ContractState.RENEWED and new.start == date(2024, 12, 31) and new.previous == contract.id
    )


def test_expire_after_the_end_only() -> None:
    contract = sign(request(), None, Load(0, 0), POLICY)
    assert expire(contract, date(2024, 12, 30), ADULT, POLICY) is None
    expired = expire(contract, date(2024, 12, 31), ADULT, POLICY)
    assert expired is not None and expired.state is ContractState.EXPIRED


def test_capitation_counts_residents_signed_on_the_first_of_each_month() -> None:
    contracts = [
        Contract("a", "p1", "T1", "GP1", "BASIC", date(2024, 1, 1), date(2024, 12, 30)),
        Contract("b", "p2", "T1", "GP1", "BASIC", date(2024, 2, 15), date(2025, 2, 13)),
        Contract(
            "c",
            "p3",
            "T1",
            "GP1",
            "BASIC",
            date(2023, 6, 1),
            date(2024, 5, 30),
            state=ContractState.TERMINATED,
            ended_on=date(2024, 1, 20),
        ),
        Contract("d", "p4", "T9", "GP9", "BASIC", date(2024, 1, 1), date(2024, 12, 30)),
    ]
    statement = capitation("T1", contracts, date(2024, 1, 1), date(2024, 3, 31), 1050, 700)
    assert [line.signed for line in statement.months] == [2, 1, 2]
    assert statement.gross_fen == 5 * 1050 and statement.net_fen == 5 * 1050 - 700
