"""Errors of the registry."""

from sanyi.kernel.errors import ErrorKind, ErrorSpec

REGISTRY_NOT_FOUND = ErrorSpec(
    "REGISTRY_NOT_FOUND", ErrorKind.NOT_FOUND, "未找到{kind_zh}：{key}", "no {kind_en} {key}"
)
REGISTRY_OUT_OF_SCOPE = ErrorSpec(
    "REGISTRY_OUT_OF_SCOPE",
    ErrorKind.FORBIDDEN,
    "该记录不属于本机构，无权查看",
    "this record belongs to another institution",
)
