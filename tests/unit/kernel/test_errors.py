import pytest

from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec, error_spec, registered_errors


def test_an_error_carries_code_messages_and_path() -> None:
    spec = ErrorSpec("TEST_SAMPLE_ERROR", ErrorKind.INVALID, "字段 {field} 无效", "field {field} is invalid")
    error = DomainError(spec, path="a.b", field="x")
    assert error.to_dict() == {
        "code": "TEST_SAMPLE_ERROR",
        "message_zh": "字段 x 无效",
        "message_en": "field x is invalid",
        "path": "a.b",
    }
    issue = error.as_issue(row=7)
    assert issue.to_dict()["row"] == 7 and issue.field == "a.b"
    assert error_spec("TEST_SAMPLE_ERROR") is spec
    assert spec in registered_errors()


def test_codes_must_be_well_formed_and_unique() -> None:
    with pytest.raises(ValueError, match="UPPER_SNAKE_CASE"):
        ErrorSpec("lower", ErrorKind.INVALID, "x", "x")
    ErrorSpec("TEST_TWICE", ErrorKind.INVALID, "x", "x")
    with pytest.raises(ValueError, match="declared twice"):
        ErrorSpec("TEST_TWICE", ErrorKind.CONFLICT, "x", "x")


def test_missing_message_parameters_are_a_bug() -> None:
    spec = ErrorSpec("TEST_PARAMS", ErrorKind.INVALID, "{n} 个{kind_zh}", "{n} {kind_en}")
    assert spec.fields == {"n", "kind_zh", "kind_en"}
    with pytest.raises(ValueError, match="missing message parameters"):
        DomainError(spec, n=1, kind_zh="表")
    assert DomainError(spec, n=2, kind_zh="表", kind_en="tables").message_zh == "2 个表"
