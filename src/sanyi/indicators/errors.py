"""Errors of the reform indicators: requests, scope, approval and locked periods."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

INDICATOR_UNKNOWN = ErrorSpec(
    "INDICATOR_UNKNOWN",
    ErrorKind.NOT_FOUND,
    "未知的指标 {indicator}（可用：{available}）",
    "unknown indicator {indicator!r} (available: {available})",
)
INDICATOR_INVALID_REQUEST = ErrorSpec(
    "INDICATOR_INVALID_REQUEST",
    ErrorKind.INVALID,
    "指标计算请求的 {field} 无效：{reason_zh}",
    "indicator request: {field} is invalid: {reason}",
)
INDICATOR_UNKNOWN_SCOPE = ErrorSpec(
    "INDICATOR_UNKNOWN_SCOPE",
    ErrorKind.NOT_FOUND,
    "未知的地区或机构：{scope}",
    "unknown area or institution {scope!r}",
)
INDICATOR_OUT_OF_SCOPE = ErrorSpec(
    "INDICATOR_OUT_OF_SCOPE",
    ErrorKind.FORBIDDEN,
    "无权查看 {scope} 的指标（您的范围：{allowed}）",
    "you may not see the indicators of {scope} (your scope: {allowed})",
)
INDICATOR_PERIOD_LOCKED = ErrorSpec(
    "INDICATOR_PERIOD_LOCKED",
    ErrorKind.CONFLICT,
    "{area} {period} 的数据已审核锁定，不能修改 {what}",
    "the data of {area} for {period} are approved and locked; {what} cannot change",
)
INDICATOR_APPROVAL_STATE = ErrorSpec(
    "INDICATOR_APPROVAL_STATE",
    ErrorKind.CONFLICT,
    "{area} {period} 当前为“{state_zh}”，不能{action_zh}",
    "{area} {period} is {state}; it cannot be {action}",
)
INDICATOR_APPROVAL_PERIOD = ErrorSpec(
    "INDICATOR_APPROVAL_PERIOD",
    ErrorKind.INVALID,
    "审核期间须为月份或季度：{period}",
    "an approval period is a month or a quarter, not {period!r}",
)
