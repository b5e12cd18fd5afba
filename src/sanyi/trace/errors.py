"""Errors of drug traceability: code format, event order, uploads and the public query.

Event errors name the code and the event's index in the upload (its row or line), so a batch report
points at the exact event.
"""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

TRACE_BAD_CODE = ErrorSpec(
    "TRACE_BAD_CODE",
    ErrorKind.INVALID,
    "追溯码“{value}”格式不正确：应为 {length} 位数字",
    "traceability code {value!r} is malformed: expected {length} digits",
)
TRACE_MISSING_FIELD = ErrorSpec(
    "TRACE_MISSING_FIELD",
    ErrorKind.INVALID,
    "第 {index} 条事件（追溯码 {code}，{event_zh}）缺少 {field}",
    "event {index} (code {code}, {event}) lacks {field}",
)
TRACE_BAD_DATES = ErrorSpec(
    "TRACE_BAD_DATES",
    ErrorKind.INVALID,
    "第 {index} 条事件：追溯码 {code} 的有效期 {expiry} 不晚于生产日期 {produced}",
    "event {index}: code {code} expires {expiry}, not after its production date {produced}",
)
TRACE_ALREADY_PRODUCED = ErrorSpec(
    "TRACE_ALREADY_PRODUCED",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 已登记生产，不能重复赋码",
    "event {index}: code {code} was already registered as produced",
)
TRACE_NOT_PRODUCED = ErrorSpec(
    "TRACE_NOT_PRODUCED",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 尚未登记生产，不能{event_zh}",
    "event {index}: code {code} has no produced event; cannot record {event}",
)
TRACE_TIME_BACKWARDS = ErrorSpec(
    "TRACE_TIME_BACKWARDS",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 的{event_zh}时间 {at} 早于上一事件 {last}",
    "event {index}: {event} of code {code} at {at} is earlier than its previous event at {last}",
)
TRACE_NOT_HOLDER = ErrorSpec(
    "TRACE_NOT_HOLDER",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 当前在 {holder}，{party} 不能发货",
    "event {index}: code {code} is held by {holder}; {party} cannot ship it",
)
TRACE_IN_TRANSIT = ErrorSpec(
    "TRACE_IN_TRANSIT",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 已发往 {to}，尚未收货，不能再次发货",
    "event {index}: code {code} is on its way to {to}; it cannot be shipped again before receipt",
)
TRACE_SAME_PARTY = ErrorSpec(
    "TRACE_SAME_PARTY",
    ErrorKind.INVALID,
    "第 {index} 条事件：追溯码 {code} 的发货方与收货方相同（{party}）",
    "event {index}: code {code} is shipped by {party} to itself",
)
TRACE_ALREADY_DISPENSED = ErrorSpec(
    "TRACE_ALREADY_DISPENSED",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 已发药给患者，不能再{event_zh}",
    "event {index}: code {code} was dispensed to a patient; it cannot be {event}",
)
TRACE_NOT_SHIPPED_TO = ErrorSpec(
    "TRACE_NOT_SHIPPED_TO",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 未发往 {party}，不能收货",
    "event {index}: code {code} was not shipped to {party}; it cannot be received there",
)
TRACE_NOT_RECEIVED = ErrorSpec(
    "TRACE_NOT_RECEIVED",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 未由 {party} 收货，不能发药",
    "event {index}: code {code} was not received by {party}; it cannot be dispensed there",
)
TRACE_EXPIRED = ErrorSpec(
    "TRACE_EXPIRED",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 已于 {expiry} 过期，不能{event_zh}",
    "event {index}: code {code} expired on {expiry}; it cannot be {event}",
)
TRACE_NOTHING_TO_CANCEL = ErrorSpec(
    "TRACE_NOTHING_TO_CANCEL",
    ErrorKind.CONFLICT,
    "第 {index} 条事件：追溯码 {code} 在 {party} 没有可冲正的发药记录",
    "event {index}: code {code} has no dispensing at {party} to cancel",
)
TRACE_INVALID_JSON = ErrorSpec(
    "TRACE_INVALID_JSON",
    ErrorKind.INVALID,
    "第 {line} 行不是有效的 JSON 对象：{reason}",
    "line {line} is not a valid JSON object: {reason}",
)
TRACE_UNSUPPORTED_FILE = ErrorSpec(
    "TRACE_UNSUPPORTED_FILE",
    ErrorKind.INVALID,
    "不支持的文件类型 {suffix}（可用 .jsonl、.xlsx、.csv）",
    "unsupported file type {suffix} (use .jsonl, .xlsx or .csv)",
)
TRACE_CODE_NOT_FOUND = ErrorSpec(
    "TRACE_CODE_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "未查到追溯码 {code}。请核对包装上的 20 位数字；仍查不到时，请勿使用并向药品监管部门反映",
    "no record of code {code}. Check the 20 digits on the package; if it is still not found, do not use "
    "the medicine and tell the drug regulator",
)
TRACE_QUERY_THROTTLED = ErrorSpec(
    "TRACE_QUERY_THROTTLED",
    ErrorKind.THROTTLED,
    "查询过于频繁，请 {minutes} 分钟后再试",
    "too many queries; try again in {minutes} minutes",
)
TRACE_OTHER_PARTY = ErrorSpec(
    "TRACE_OTHER_PARTY",
    ErrorKind.FORBIDDEN,
    "第 {index} 条事件：您只能上传本机构（{institution}）的事件，不能代 {party} 上传",
    "event {index}: you may upload only your institution's ({institution}) events, not those of {party}",
)
TRACE_FORBIDDEN = ErrorSpec(
    "TRACE_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色不能{action_zh}",
    "your role may not {action}",
)
