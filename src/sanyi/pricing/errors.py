"""Errors of pricing: overlapping versions, prices missing at a level, scope and unknown lists."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

PRICING_OVERLAP = ErrorSpec(
    "PRICING_OVERLAP",
    ErrorKind.CONFLICT,
    "{kind_zh} {key} 在 {area} 的版本 {start} 起与已有版本 {other_start}～{other_end} 的有效期重叠",
    "{kind} {key} in {area}: the version from {start} overlaps the version {other_start}–{other_end}",
)
PRICING_BAD_PERIOD = ErrorSpec(
    "PRICING_BAD_PERIOD",
    ErrorKind.INVALID,
    "失效日期 {end} 早于生效日期 {start}",
    "the end date {end} is before the start date {start}",
)
PRICING_NO_PRICE = ErrorSpec(
    "PRICING_NO_PRICE",
    ErrorKind.INVALID,
    "{kind_zh} {key} 至少须有一个级别的价格",
    "{kind} {key} needs a price for at least one level",
)
PRICING_UNKNOWN_LIST = ErrorSpec(
    "PRICING_UNKNOWN_LIST",
    ErrorKind.NOT_FOUND,
    "价格目录“{value}”不存在，可选：{available}",
    "price list {value!r} does not exist; one of {available}",
)
PRICING_FORBIDDEN = ErrorSpec(
    "PRICING_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色不能{action_zh}",
    "your role may not {action}",
)
PRICING_NOT_FOUND = ErrorSpec(
    "PRICING_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "机构 {id} 不存在或不在您的权限范围内",
    "institution {id} does not exist or is outside your scope",
)
