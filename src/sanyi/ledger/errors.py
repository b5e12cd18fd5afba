"""Errors of the reform task ledger, with stable codes and Chinese and English messages."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

LEDGER_NOT_FOUND = ErrorSpec(
    "LEDGER_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "任务 {id} 不存在",
    "task {id} does not exist",
)
LEDGER_FORBIDDEN = ErrorSpec(
    "LEDGER_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色不能{action_zh}",
    "your role may not {action}",
)
LEDGER_NOT_LEAD = ErrorSpec(
    "LEDGER_NOT_LEAD",
    ErrorKind.FORBIDDEN,
    "任务 {id} 的牵头部门是 {lead}，您的角色不代表该部门，不能报送进展",
    "task {id} is led by {lead}; your role does not act for it and may not report progress",
)
LEDGER_ILLEGAL_TRANSITION = ErrorSpec(
    "LEDGER_ILLEGAL_TRANSITION",
    ErrorKind.CONFLICT,
    "任务 {id} 当前状态为“{status}”，不能{action_zh}",
    "task {id} is {status_en}; cannot {action}",
)
LEDGER_NOT_VERIFIED = ErrorSpec(
    "LEDGER_NOT_VERIFIED",
    ErrorKind.CONFLICT,
    "任务 {id} 尚未核验通过，不能销号",
    "task {id} has not passed verification; it cannot be closed (销号)",
)
LEDGER_SAME_PERSON = ErrorSpec(
    "LEDGER_SAME_PERSON",
    ErrorKind.CONFLICT,
    "核验须由报送人（{reporter}）以外的人进行",
    "verification must be done by someone other than the reporter ({reporter})",
)
LEDGER_REASON_REQUIRED = ErrorSpec(
    "LEDGER_REASON_REQUIRED",
    ErrorKind.INVALID,
    "{action_zh}必须填写理由",
    "{action} needs a reason",
)
LEDGER_INVALID_FIELD = ErrorSpec(
    "LEDGER_INVALID_FIELD",
    ErrorKind.INVALID,
    "字段 {field} 的值“{value}”无效：{reason_zh}",
    "field {field} has an invalid value {value!r}: {reason}",
)
LEDGER_UNKNOWN_DEPARTMENT = ErrorSpec(
    "LEDGER_UNKNOWN_DEPARTMENT",
    ErrorKind.INVALID,
    "{region} 没有名为“{name}”的部门",
    "{region} has no department named {name!r}",
)
LEDGER_UNKNOWN_INDICATOR = ErrorSpec(
    "LEDGER_UNKNOWN_INDICATOR",
    ErrorKind.INVALID,
    "未知的指标代码 {code}",
    "unknown indicator code {code}",
)
LEDGER_DUPLICATE_TASK = ErrorSpec(
    "LEDGER_DUPLICATE_TASK",
    ErrorKind.CONFLICT,
    "任务编号 {id} 已存在",
    "task id {id} already exists",
)
LEDGER_ATTACHMENT_TOO_LARGE = ErrorSpec(
    "LEDGER_ATTACHMENT_TOO_LARGE",
    ErrorKind.INVALID,
    "附件 {name} 为 {size} 字节，超过上限 {limit} 字节",
    "attachment {name} is {size} bytes, over the limit of {limit} bytes",
)
LEDGER_ATTACHMENT_TYPE = ErrorSpec(
    "LEDGER_ATTACHMENT_TYPE",
    ErrorKind.INVALID,
    "附件 {name} 的类型不允许（允许：{allowed}）",
    "attachment {name} is not an allowed type (allowed: {allowed})",
)
