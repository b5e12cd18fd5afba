"""Errors of the mark-up compensation calculator."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

COMPENSATION_NOT_FOUND = ErrorSpec(
    "COMPENSATION_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "医疗机构 {institution} 不存在或不在您的权限范围内",
    "institution {institution} does not exist or is outside your scope",
)
COMPENSATION_FORBIDDEN = ErrorSpec(
    "COMPENSATION_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色不能查看药品加成补偿测算",
    "your role may not see mark-up compensation calculations",
)
COMPENSATION_BEFORE_REFORM = ErrorSpec(
    "COMPENSATION_BEFORE_REFORM",
    ErrorKind.INVALID,
    "{year} 年早于取消药品加成的起始日期 {start}，无需补偿",
    "{year} is before the mark-up removal started on {start}; there is nothing to compensate",
)
COMPENSATION_INVALID_INPUT = ErrorSpec(
    "COMPENSATION_INVALID_INPUT",
    ErrorKind.INVALID,
    "{field} 无效：{reason_zh}",
    "{field} is invalid: {reason}",
)
