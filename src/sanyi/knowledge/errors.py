"""Errors raised while reading knowledge files."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

KNOWLEDGE_INVALID_FILE = ErrorSpec(
    "KNOWLEDGE_INVALID_FILE",
    ErrorKind.CONFIGURATION,
    "知识库文件 {file} 第 {line} 行有误：{reason}",
    "knowledge file {file}, line {line}: {reason}",
)
KNOWLEDGE_UNKNOWN = ErrorSpec(
    "KNOWLEDGE_UNKNOWN",
    ErrorKind.NOT_FOUND,
    "未知的{kind_zh}：{name}（可用：{available}）",
    "unknown {kind_en} {name!r} (available: {available})",
)
