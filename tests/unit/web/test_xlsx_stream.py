"""The streamed Excel writer: a readable workbook with a bold frozen header and exact decimals."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from sanyi.infrastructure.tabular import xlsx_stream


def test_rows_come_back_as_written() -> None:
    rows = [[f"P{n:04d}", "张**", Decimal("12.34") * n] for n in range(1, 3001)]
    chunks = list(xlsx_stream(("人员编号", "姓名", "金额"), iter(rows), sheet="居民", chunk=16 * 1024))
    assert len(chunks) > 1  # handed out in pieces, not one buffer
    workbook = load_workbook(io.BytesIO(b"".join(chunks)))
    sheet = workbook["居民"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("人员编号", "姓名", "金额")
    assert len(values) == 3001
    assert values[3000][0] == "P3000" and Decimal(str(values[3000][2])) == Decimal("37020.00")
