"""Every reference case of every scheme, reproduced exactly; the trail tells the same story."""

import pytest

from sanyi.drg.api import compiled, conformance_cases, group, scheme_names

CASES = [
    pytest.param(scheme, row, id=row["id"]) for scheme in scheme_names() for row in conformance_cases(scheme)
]


def test_every_scheme_ships_its_cases() -> None:
    assert scheme_names() == ["chs_drg_11", "haerbin_2022", "zhejiang_2022"]
    assert len(CASES) == 9000


@pytest.mark.parametrize(("scheme", "row"), CASES)
def test_case(scheme: str, row: dict[str, str]) -> None:
    result = group(row, scheme)
    assert (result.status, result.mdc, result.adrg, result.drg) == (
        row["status"],
        row["mdc"],
        row["adrg"],
        row["drg"],
    )
    # The trail is worked out by a second, tracing walk; it must end where the fast path ended.
    last = result.trail[-1]
    if result.status in ("SUCCESS", "QY"):
        assert (last.kind, last.args[0], last.args[1]) == ("result", result.status, result.drg)
    elif result.status == "FAIL":
        assert last.kind == "no_group"
    else:
        assert last.kind in ("unknown_dx", "unknown_proc", "invalid")


@pytest.mark.parametrize("scheme", scheme_names())
def test_the_traced_walk_alone_gives_the_same_results(scheme: str) -> None:
    grouper = compiled(scheme)
    for row in conformance_cases(scheme):
        fast, traced = grouper.group_row(row), grouper.group_row_traced(row)
        assert traced.key() == fast.key() == (row["status"], row["mdc"], row["adrg"], row["drg"])
        assert traced.trail == fast.trail
