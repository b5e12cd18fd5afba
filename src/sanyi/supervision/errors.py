"""Errors of supervision: rule files, claim records and sources."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

SUPERVISION_RULES_INVALID = ErrorSpec(
    "SUPERVISION_RULES_INVALID",
    ErrorKind.CONFIGURATION,
    "监管规则文件 {file} 的 {field} 无效：{reason_zh}",
    "supervision rules {file}: {field} is invalid: {reason}",
)
SUPERVISION_UNKNOWN_RULE = ErrorSpec(
    "SUPERVISION_UNKNOWN_RULE",
    ErrorKind.INVALID,
    "未知的监管规则 {rule}（可用：{available}）",
    "unknown supervision rule {rule} (available: {available})",
)
SUPERVISION_MISSING_FIELD = ErrorSpec(
    "SUPERVISION_MISSING_FIELD",
    ErrorKind.INVALID,
    "缺少必填字段 {field}",
    "required field {field} is missing",
)
SUPERVISION_INVALID_FIELD = ErrorSpec(
    "SUPERVISION_INVALID_FIELD",
    ErrorKind.INVALID,
    "字段 {field} 的值“{value}”无效",
    "field {field} has an invalid value {value!r}",
)
SUPERVISION_INVALID_JSON = ErrorSpec(
    "SUPERVISION_INVALID_JSON",
    ErrorKind.INVALID,
    "第 {line} 行不是有效的 JSON：{reason}",
    "line {line} is not valid JSON: {reason}",
)
SUPERVISION_NO_SOURCE = ErrorSpec(
    "SUPERVISION_NO_SOURCE",
    ErrorKind.INVALID,
    "请给出一个数据来源：JSONL 文件、--db 或 --parquet 目录",
    "give one source: a JSONL file, --db or --parquet DIR",
)
SUPERVISION_NOT_FOUND = ErrorSpec(
    "SUPERVISION_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "{kind_zh} {id} 不存在或不在您的权限范围内",
    "{kind} {id} does not exist or is outside your scope",
)
SUPERVISION_FORBIDDEN = ErrorSpec(
    "SUPERVISION_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色不能{action_zh}",
    "your role may not {action}",
)
SUPERVISION_WRONG_STAGE = ErrorSpec(
    "SUPERVISION_WRONG_STAGE",
    ErrorKind.CONFLICT,
    "案件 {id} 处于“{stage}”阶段，不能{action_zh}",
    "case {id} is at stage {stage}; cannot {action}",
)
SUPERVISION_INVALID_OUTCOME = ErrorSpec(
    "SUPERVISION_INVALID_OUTCOME",
    ErrorKind.INVALID,
    "处理结果的 {field} 无效：{reason_zh}",
    "outcome field {field} is invalid: {reason}",
)
