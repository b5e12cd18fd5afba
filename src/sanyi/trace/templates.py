"""The upload template of traceability events (one row per event), shared by Excel/CSV and JSONL.

Excel and CSV rows carry the Chinese headers; a JSONL line carries the column keys in English. Which
columns an event needs depends on its kind and is checked by the loader (ingest.py).
"""

from __future__ import annotations

from typing import Final

from sanyi.infrastructure.sheets import DATE, DATETIME, INTEGER, Column, SheetSpec, choice, text
from sanyi.trace.codes import CODE_FORMAT
from sanyi.trace.model import EVENT_LABELS

PARTY = text(
    32, r"[0-9A-Za-z]+", "机构编码或统一社会信用代码", "institution code or unified social credit code"
)

EVENTS: Final = SheetSpec(
    kind="trace-events",
    title_zh="药品追溯事件",
    title_en="drug traceability events",
    columns=(
        Column(
            "code",
            "追溯码",
            "药品最小销售包装上的追溯码",
            "the code on the package",
            CODE_FORMAT,
            example="81234560000000011234",
        ),
        Column("event", "事件", "事件类型", "kind of event", choice(EVENT_LABELS), example="发药"),
        Column("at", "时间", "事件发生时间", "when it happened", DATETIME, example="2023-03-01 10:15:00"),
        Column(
            "party",
            "主体编码",
            "生产企业、发货方、收货方或发药机构的编码",
            "who acts: manufacturer, shipper, receiver or dispensing institution",
            PARTY,
            example="330302001",
        ),
        Column(
            "party_name",
            "主体名称",
            "主体名称（首次出现时填写）",
            "its name (on first use)",
            text(200),
            required=False,
        ),
        Column(
            "counterpart",
            "对方编码",
            "发货：收货方；收货：发货方",
            "shipped: to whom; received: from whom",
            PARTY,
            required=False,
        ),
        Column("counterpart_name", "对方名称", "对方名称", "its name", text(200), required=False),
        Column(
            "drug_code",
            "药品编码",
            "生产：国家医保药品编码或药品本位码",
            "produced: national drug code",
            text(32, r"[0-9A-Z]+", "大写字母与数字", "capital letters and digits"),
            required=False,
        ),
        Column(
            "generic_name", "通用名", "生产：药品通用名", "produced: generic name", text(200), required=False
        ),
        Column("spec", "规格", "生产：规格与包装", "produced: strength and pack", text(100), required=False),
        Column(
            "manufacturer",
            "生产企业",
            "生产：生产企业名称",
            "produced: manufacturer",
            text(200),
            required=False,
        ),
        Column("batch", "批号", "生产：生产批号", "produced: batch", text(40), required=False),
        Column(
            "production_date", "生产日期", "生产：生产日期", "produced: production date", DATE, required=False
        ),
        Column(
            "expiry_date", "有效期至", "生产：有效期截止日", "produced: expiry date", DATE, required=False
        ),
        Column(
            "person_id",
            "患者编号",
            "发药：患者（平台人员编号）",
            "dispensed: the patient (person id)",
            text(32),
            required=False,
        ),
        Column(
            "encounter_id", "就诊ID", "发药：就诊记录", "dispensed: the encounter", text(32), required=False
        ),
        Column(
            "line_no",
            "费用明细序号",
            "发药：费用明细行号",
            "dispensed: fee line number",
            INTEGER,
            required=False,
        ),
        Column(
            "reason", "冲正原因", "冲正：原因（必填）", "cancelled: why (required)", text(200), required=False
        ),
    ),
    notes_zh=(
        "每行一个事件；同一追溯码的事件按发生顺序排列"
        "（生产 → 发货 → 收货 → 发药，冲正撤回本机构最近一次发药）。",
        "有误的事件逐条报告（行号、追溯码、错误代码），其余事件照常保存。",
    ),
    notes_en=(
        "One event per row; a code's events in the order they happened (produced → shipped → received → "
        "dispensed; a cancellation takes back the institution's latest dispensing).",
        "Every bad event is reported (row, code, error code); the good ones are stored.",
    ),
)

REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "produced": ("drug_code", "generic_name", "spec", "batch", "production_date", "expiry_date"),
    "shipped": ("counterpart",),
    "received": (),
    "dispensed": (),
    "cancelled": ("reason",),
}
