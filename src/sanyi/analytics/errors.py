"""Errors of the analytics backends."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

ANALYTICS_UNKNOWN_ENGINE = ErrorSpec(
    "ANALYTICS_UNKNOWN_ENGINE",
    ErrorKind.INVALID,
    "未知的计算引擎 {engine}（可选：{engines}）",
    "unknown engine {engine} (choose from: {engines})",
)
ANALYTICS_SPARK_MISSING = ErrorSpec(
    "ANALYTICS_SPARK_MISSING",
    ErrorKind.CONFIGURATION,
    "未安装 Spark 引擎：请安装 sanyi[spark]（pyspark）并提供 Java 17",
    "the Spark engine is not installed: install sanyi[spark] (pyspark) and provide Java 17",
)
ANALYTICS_NO_DATA = ErrorSpec(
    "ANALYTICS_NO_DATA",
    ErrorKind.NOT_FOUND,
    "{where} 下没有 Parquet 文件",
    "no Parquet files under {where}",
)
ANALYTICS_INVALID_QUERY = ErrorSpec(
    "ANALYTICS_INVALID_QUERY",
    ErrorKind.INVALID,
    "查询无法执行（{engine}）：{reason}",
    "the query failed on {engine}: {reason}",
)
ANALYTICS_INVALID_OPTION = ErrorSpec(
    "ANALYTICS_INVALID_OPTION",
    ErrorKind.INVALID,
    "选项 {option} 的值“{value}”无效：{reason}",
    "option {option} has an invalid value {value!r}: {reason}",
)
ANALYTICS_ENGINE_NEEDS_PARQUET = ErrorSpec(
    "ANALYTICS_ENGINE_NEEDS_PARQUET",
    ErrorKind.INVALID,
    "选项 --engine 只适用于 Parquet 区域（--parquet 目录）；{source}在本进程内处理，不能指定引擎",
    "--engine applies to a Parquet region only (--parquet DIR); {source_en} is processed in this "
    "process and takes no engine",
)
ANALYTICS_ONE_INPUT = ErrorSpec(
    "ANALYTICS_ONE_INPUT",
    ErrorKind.INVALID,
    "请只给出一种输入：{choices}",
    "give exactly one input: {choices}",
)
