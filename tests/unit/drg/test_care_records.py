"""A stay exported by the care context (``care.drg_record``) is a record the grouper reads as is."""

from dataclasses import replace

from sanyi.care.api import drg_record
from sanyi.drg import api
from tests.unit.care.test_model_and_export import PERSON, _stay


def test_a_care_stay_groups_and_a_category_code_says_why_it_does_not() -> None:
    record = drg_record(_stay(), PERSON)
    assert list(record) == list(api.INPUT_COLUMNS)
    # I10.x00 is the category of essential hypertension; the schemes list only its subcodes.
    result = api.group(record, "zhejiang_2022")
    assert result.key() == ("FAIL", "0000", "00", "0000")
    assert api.render_all(result.trail)[0] == "主要诊断 I10.x00（主要手术操作 -）不满足任何 MDC 的入组条件"
    coded = drg_record(replace(_stay(), diagnoses=("I10.x00x002", "E11.900")), PERSON)
    grouped = api.group(coded, "zhejiang_2022")
    assert grouped.status == "SUCCESS"
    assert grouped.mdc == "MDCF"
