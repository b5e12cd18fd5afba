"""Errors of tiered care: contracts, referrals, booking and mutual recognition of results."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

TIERED_NOT_FOUND = ErrorSpec(
    "TIERED_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "未找到{kind_zh} {key}，或不在您的查看范围内",
    "{kind} {key} not found, or outside what you may see",
)
TIERED_INVALID = ErrorSpec(
    "TIERED_INVALID",
    ErrorKind.INVALID,
    "字段 {field} 的值“{value}”无效：{reason_zh}",
    "invalid {field} {value!r}: {reason}",
)
TIERED_TRANSITION_REFUSED = ErrorSpec(
    "TIERED_TRANSITION_REFUSED",
    ErrorKind.CONFLICT,
    "{kind_zh}当前状态为“{state}”，不能执行“{action}”",
    "{kind} is {state}; {action} is not allowed",
)

# -- family-doctor contracts -----------------------------------------------------------------------
CONTRACT_ALREADY_ACTIVE = ErrorSpec(
    "CONTRACT_ALREADY_ACTIVE",
    ErrorKind.CONFLICT,
    "该居民已有生效的签约（{contract_id}），不能同时签约两个团队",
    "the resident already has an active contract ({contract_id})",
)
CONTRACT_CAP_REACHED = ErrorSpec(
    "CONTRACT_CAP_REACHED",
    ErrorKind.CONFLICT,
    "{holder_zh} {code} 的签约人数已达上限 {cap}",
    "{holder} {code} has reached its cap of {cap} signed residents",
)
CONTRACT_RESIDENT_DECEASED = ErrorSpec(
    "CONTRACT_RESIDENT_DECEASED",
    ErrorKind.CONFLICT,
    "居民已死亡，不能签约",
    "the resident has died; no contract",
)
CONTRACT_TEAM_INVALID = ErrorSpec(
    "CONTRACT_TEAM_INVALID",
    ErrorKind.INVALID,
    "家庭医生团队无效：{reason_zh}",
    "invalid family-doctor team: {reason}",
)
CONTRACT_COMBINATION_INVALID = ErrorSpec(
    "CONTRACT_COMBINATION_INVALID",
    ErrorKind.INVALID,
    "“1+1+1”组合无效：{reason_zh}",
    "invalid 1+1+1 combination: {reason}",
)

# -- referrals -------------------------------------------------------------------------------------
REFERRAL_DIRECTION_INVALID = ErrorSpec(
    "REFERRAL_DIRECTION_INVALID",
    ErrorKind.INVALID,
    "转诊方向与机构级别不符：{reason_zh}",
    "referral direction does not match the institutions' tiers: {reason}",
)
REFERRAL_EXPIRED = ErrorSpec(
    "REFERRAL_EXPIRED",
    ErrorKind.CONFLICT,
    "转诊单已于 {valid_until} 过期",
    "the referral expired at {valid_until}",
)
REFERRAL_REASON_REQUIRED = ErrorSpec(
    "REFERRAL_REASON_REQUIRED", ErrorKind.INVALID, "{action_zh}需要填写原因", "{action} needs a reason"
)

# -- booking ---------------------------------------------------------------------------------------
SLOT_FULL = ErrorSpec(
    "SLOT_FULL",
    ErrorKind.CONFLICT,
    "该排班号源已满，可加入候补名单",
    "no free slot left in this session; join the waiting list",
)
BOOKING_LIMIT_REACHED = ErrorSpec(
    "BOOKING_LIMIT_REACHED",
    ErrorKind.CONFLICT,
    "超出预约限制：{reason_zh}",
    "booking limit reached: {reason}",
)
SCHEDULE_UNAVAILABLE = ErrorSpec(
    "SCHEDULE_UNAVAILABLE",
    ErrorKind.CONFLICT,
    "医生停诊（{reason}），不能预约",
    "the doctor is unavailable ({reason}); no booking",
)

# -- mutual recognition ----------------------------------------------------------------------------
RESULT_ITEM_UNKNOWN = ErrorSpec(
    "RESULT_ITEM_UNKNOWN",
    ErrorKind.INVALID,
    "项目 {item} 不在互认项目目录中",
    "item {item} is not in the list of recognisable items",
)
PHONE_CHECK_FAILED = ErrorSpec(
    "PHONE_CHECK_FAILED",
    ErrorKind.FORBIDDEN,
    "身份证号、手机号或验证码不正确，或验证码已过期",
    "the ID, phone or code is wrong, or the code has expired",
)
