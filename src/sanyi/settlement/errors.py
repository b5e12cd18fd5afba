"""Errors of settlement: each rejection names its code, zh/en message and the field path."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

SETTLEMENT_MISSING_FIELD = ErrorSpec(
    "SETTLEMENT_MISSING_FIELD",
    ErrorKind.INVALID,
    "缺少必填字段 {field}",
    "required field {field} is missing",
)
SETTLEMENT_INVALID_FIELD = ErrorSpec(
    "SETTLEMENT_INVALID_FIELD",
    ErrorKind.INVALID,
    "字段 {field} 的值“{value}”无效：{reason_zh}",
    "field {field} has an invalid value {value!r}: {reason}",
)
SETTLEMENT_REGION_MISMATCH = ErrorSpec(
    "SETTLEMENT_REGION_MISMATCH",
    ErrorKind.INVALID,
    "参保地 {home_region} 不属于政策包 {package} 的统筹区 {region}",
    "home region {home_region} is outside region {region} of policy package {package}",
)
SETTLEMENT_OUT_OF_EFFECT = ErrorSpec(
    "SETTLEMENT_OUT_OF_EFFECT",
    ErrorKind.INVALID,
    "就诊日期 {day} 不在政策包 {package} 的有效期（{effective}）内",
    "encounter date {day} is outside the effective dates of policy package {package} ({effective})",
)
SETTLEMENT_NOT_COVERED = ErrorSpec(
    "SETTLEMENT_NOT_COVERED",
    ErrorKind.INVALID,
    "政策包 {package} 未规定{what_zh}：{value}",
    "policy package {package} has no rules for {what} {value!r}",
)
SETTLEMENT_REFUND_WITHOUT_ORIGINAL = ErrorSpec(
    "SETTLEMENT_REFUND_WITHOUT_ORIGINAL",
    ErrorKind.INVALID,
    "退费明细 {no} 在本单据中没有可冲减的原明细（项目 {code}）",
    "refund line {no} has no earlier line of item {code} in this claim to refund",
)
SETTLEMENT_DUPLICATE_LINE = ErrorSpec(
    "SETTLEMENT_DUPLICATE_LINE",
    ErrorKind.INVALID,
    "明细序号 {no} 重复",
    "line number {no} appears twice",
)
SETTLEMENT_CONFLICT = ErrorSpec(
    "SETTLEMENT_CONFLICT",
    ErrorKind.CONFLICT,
    "结算单号 {claim_id} 已用于内容不同的另一笔结算",
    "claim id {claim_id} was already settled with different content",
)
SETTLEMENT_NOT_FOUND = ErrorSpec(
    "SETTLEMENT_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "未找到结算单 {claim_id}",
    "no settlement of claim {claim_id}",
)
SETTLEMENT_ALREADY_REVERSED = ErrorSpec(
    "SETTLEMENT_ALREADY_REVERSED",
    ErrorKind.CONFLICT,
    "结算单 {claim_id} 已冲正",
    "the settlement of claim {claim_id} is already reversed",
)
SETTLEMENT_OUT_OF_SCOPE = ErrorSpec(
    "SETTLEMENT_OUT_OF_SCOPE",
    ErrorKind.FORBIDDEN,
    "该结算单不属于本机构，无权操作",
    "this settlement belongs to another institution",
)
SETTLEMENT_INVALID_JSON = ErrorSpec(
    "SETTLEMENT_INVALID_JSON",
    ErrorKind.INVALID,
    "第 {line} 行不是有效的 JSON：{reason}",
    "line {line} is not valid JSON: {reason}",
)
SETTLEMENT_NO_POLICY = ErrorSpec(
    "SETTLEMENT_NO_POLICY",
    ErrorKind.INVALID,
    "没有适用于参保地 {home_region}、日期 {day} 的结算政策包",
    "no policy package applies to home region {home_region} on {day}",
)
SETTLEMENT_BLOCKED_BY_SUPERVISION = ErrorSpec(
    "SETTLEMENT_BLOCKED_BY_SUPERVISION",
    ErrorKind.INVALID,
    "智能监管拦截：{message_zh}（规则 {rule}）",
    "blocked by supervision: {message_en} (rule {rule})",
)
