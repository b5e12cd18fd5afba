"""Errors of the DRG grouper (record statuses double as stable error codes)."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

UNKNOWN_DIAGNOSIS_CODE = ErrorSpec(
    "UNKNOWN_DIAGNOSIS_CODE",
    ErrorKind.INVALID,
    "诊断编码不在医保版 2.0 编码库或映射表中：{codes}",
    "diagnosis codes not in the healthcare-security code set or its map: {codes}",
)
UNKNOWN_PROCEDURE_CODE = ErrorSpec(
    "UNKNOWN_PROCEDURE_CODE",
    ErrorKind.INVALID,
    "手术操作编码不在医保版 2.0 编码库或映射表中：{codes}",
    "procedure codes not in the healthcare-security code set or its map: {codes}",
)
DRG_INVALID_RECORD = ErrorSpec(
    "DRG_INVALID_RECORD",
    ErrorKind.INVALID,
    "病案字段缺失或格式有误：{fields}",
    "missing or malformed fields: {fields}",
)
DRG_UNKNOWN_GROUP = ErrorSpec(
    "DRG_UNKNOWN_GROUP",
    ErrorKind.NOT_FOUND,
    "分组方案 {scheme} 中没有病组 {drg}",
    "scheme {scheme} has no group {drg}",
)
DRG_MISSING_COLUMNS = ErrorSpec(
    "DRG_MISSING_COLUMNS",
    ErrorKind.INVALID,
    "输入文件缺少列：{columns}（可用 --columns 指定表头对应关系）",
    "the input lacks columns: {columns} (map other headers with --columns)",
)
DRG_INVALID_COLUMN_MAP = ErrorSpec(
    "DRG_INVALID_COLUMN_MAP",
    ErrorKind.INVALID,
    "列对应关系“{value}”无效：{reason}",
    "invalid column map {value!r}: {reason}",
)
DRG_TOO_MANY_RECORDS = ErrorSpec(
    "DRG_TOO_MANY_RECORDS",
    ErrorKind.INVALID,
    "一次最多分组 {limit} 份病案，收到 {count} 份",
    "at most {limit} records per request, got {count}",
)
