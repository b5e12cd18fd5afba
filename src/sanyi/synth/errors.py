"""Errors of the synthetic region."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

SYNTH_DATABASE_NOT_EMPTY = ErrorSpec(
    "SYNTH_DATABASE_NOT_EMPTY",
    ErrorKind.CONFLICT,
    "数据库中已有机构或居民数据；如需替换为合成地区，请加 --replace（将删除现有登记与诊疗数据）",
    "the database already holds institutions or residents; add --replace to replace them with a synthetic "
    "region (registry and care data will be deleted)",
)
SYNTH_NO_RUN = ErrorSpec(
    "SYNTH_NO_RUN",
    ErrorKind.NOT_FOUND,
    "{where} 中没有合成地区（请先运行 sanyi synth）",
    "no synthetic region in {where} (run sanyi synth first)",
)
SYNTH_INVALID_REQUEST = ErrorSpec(
    "SYNTH_INVALID_REQUEST",
    ErrorKind.INVALID,
    "合成参数无效：{reason_zh}",
    "invalid synthetic-region request: {reason_en}",
)
