"""Errors of procurement: national codes, chain records, agreements and scoped access."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

PROCUREMENT_INVALID_CODE = ErrorSpec(
    "PROCUREMENT_INVALID_CODE",
    ErrorKind.INVALID,
    "{kind_zh}编码“{value}”格式无效：{reason_zh}",
    "{kind} code {value!r} is invalid: {reason}",
)
PROCUREMENT_NOT_FOUND = ErrorSpec(
    "PROCUREMENT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "{kind_zh} {id} 不存在或不在您的权限范围内",
    "{kind} {id} does not exist or is outside your scope",
)
PROCUREMENT_FORBIDDEN = ErrorSpec(
    "PROCUREMENT_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色不能{action_zh}",
    "your role may not {action}",
)
PROCUREMENT_INVALID_ASSESSMENT = ErrorSpec(
    "PROCUREMENT_INVALID_ASSESSMENT",
    ErrorKind.INVALID,
    "考核结果无效：{reason_zh}",
    "the assessment is invalid: {reason}",
)
