"""What other parts of Sanyi may use of the analytics backends (Spark stays unimported until asked)."""

from sanyi.analytics.backend import (
    ENGINES,
    AnalyticsBackend,
    BatchFn,
    GroupFn,
    Keyed,
    dataset_schema,
    open_backend,
    read_output,
)
from sanyi.analytics.errors import (
    ANALYTICS_ENGINE_NEEDS_PARQUET,
    ANALYTICS_INVALID_OPTION,
    ANALYTICS_INVALID_QUERY,
    ANALYTICS_NO_DATA,
    ANALYTICS_ONE_INPUT,
    ANALYTICS_SPARK_MISSING,
    ANALYTICS_UNKNOWN_ENGINE,
)
from sanyi.analytics.local import LocalBackend

__all__ = [
    "ANALYTICS_ENGINE_NEEDS_PARQUET",
    "ANALYTICS_INVALID_OPTION",
    "ANALYTICS_INVALID_QUERY",
    "ANALYTICS_NO_DATA",
    "ANALYTICS_ONE_INPUT",
    "ANALYTICS_SPARK_MISSING",
    "ANALYTICS_UNKNOWN_ENGINE",
    "ENGINES",
    "AnalyticsBackend",
    "BatchFn",
    "GroupFn",
    "Keyed",
    "LocalBackend",
    "dataset_schema",
    "open_backend",
    "read_output",
]
