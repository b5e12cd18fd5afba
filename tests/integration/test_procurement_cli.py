"""``sanyi synth`` adds a year of procurement; ``sanyi procurement`` checks it and reports, imports the
catalogue from its template with a bad-row report, and exits with the error's code on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from sanyi.cli.main import app
from sanyi.infrastructure.tabular import read_rows

runner = CliRunner()


def test_synth_then_every_procurement_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'region.db'}"
    made = runner.invoke(app, ["synth", "--residents", "150", "--seed", "3", "--db", db])
    assert made.exit_code == 0, made.output
    assert "采购 / procurement" in made.output and "CHAIN_LATE_PAYMENT" in made.output

    checked = runner.invoke(app, ["procurement", "check-chain", "--db", db, "--json"])
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.output)
    assert result["counts"]["findings"] == len(result["findings"]) >= 1
    assert {f["rule"] for f in result["findings"]} <= {
        "CHAIN_TOO_MANY_INVOICES",
        "CHAIN_PRICE_MISMATCH",
        "CHAIN_QUANTITY_MISMATCH",
        "CHAIN_LATE_PAYMENT",
    }
    for command in (
        ["completion", "--warnings"],
        ["completion", "--monthly"],
        ["savings"],
        ["price-alerts"],
        ["shortages"],
        ["use", "--by", "department"],
        ["concentration"],
        ["parameters"],
    ):
        out = runner.invoke(
            app,
            ["procurement", *command, "--db", db, "--json"]
            if command[0] != "parameters"
            else ["procurement", *command, "--json"],
        )
        assert out.exit_code == 0, (command, out.output)
        assert isinstance(json.loads(out.output), list), command
    warned = json.loads(
        runner.invoke(
            app, ["procurement", "completion", "--warnings", "--as-of", "2023-12-31", "--db", db, "--json"]
        ).output
    )
    assert warned and all(w["warning"] for w in warned)
    bad = runner.invoke(app, ["procurement", "use", "--by", "ward", "--db", db])
    assert bad.exit_code == 3 and "PROCUREMENT_NOT_FOUND" in bad.output
    refused = runner.invoke(
        app, ["procurement", "assess", "VBP202399", "H00000000000", "--passed", "--db", db]
    )
    assert refused.exit_code == 2 and "PROCUREMENT_INVALID_ASSESSMENT" in refused.output


def test_catalogue_template_and_bad_row_report(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'catalogue.db'}"
    template = tmp_path / "products.xlsx"
    assert (
        runner.invoke(app, ["procurement", "template", "procurement_products", "-o", str(template)]).exit_code
        == 0
    )
    sheets = load_workbook(template).sheetnames
    assert sheets == ["数据", "说明"]
    header, _ = read_rows(template, "数据")
    assert "医保编码" in header and "集采标志" in header
    imported = runner.invoke(
        app, ["procurement", "import", "procurement_products", str(template), "--db", db, "--json"]
    )
    # The template's example names a manufacturer the empty database does not know: rejected, reported.
    assert imported.exit_code == 2, imported.output
    report = json.loads(imported.output[imported.output.index("{") :])  # stderr carries the error first
    assert report["committed"] is False and report["issues"][0]["code"] == "IMPORT_UNKNOWN_REFERENCE"
    _, lines = read_rows(Path(report["report"]))
    assert [line.values["错误代码"] for line in lines] == ["IMPORT_UNKNOWN_REFERENCE"]
    unknown = runner.invoke(app, ["procurement", "template", "nonsense", "-o", str(tmp_path / "x.xlsx")])
    assert unknown.exit_code == 3 and "IMPORT_UNKNOWN_TEMPLATE" in unknown.output  # not found
