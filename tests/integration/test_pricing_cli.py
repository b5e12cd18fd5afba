"""``sanyi synth`` writes the price schedules; ``sanyi pricing`` lists, exports (a file that imports
again unchanged), imports with a bad-row report and exit code 2, and lists a hospital's drug prices."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanyi.cli.main import app
from sanyi.infrastructure.tabular import read_rows, write_rows

runner = CliRunner()


def test_synth_then_every_pricing_command(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'region.db'}"
    made = runner.invoke(app, ["synth", "--residents", "150", "--seed", "3", "--db", db])
    assert made.exit_code == 0, made.output
    assert "价格目录 / price schedules" in made.output and "120 按病种收费 diseases" in made.output

    listed = runner.invoke(
        app, ["pricing", "list", "pricing_case_prices", "--on", "2023-06-30", "--db", db, "--json"]
    )
    assert listed.exit_code == 0, listed.output
    cases = json.loads(listed.output)
    assert len(cases) == 120 and all(c["effective_from"] == "2023-01-01" for c in cases)
    none_yet = runner.invoke(
        app, ["pricing", "list", "pricing_case_prices", "--on", "2022-12-31", "--db", db, "--json"]
    )
    assert json.loads(none_yet.output) == []
    table = runner.invoke(app, ["pricing", "list", "pricing_service_prices", "-q", "挂号", "--db", db])
    assert table.exit_code == 0 and "共 1 个版本" in table.output

    exported = tmp_path / "cases.xlsx"
    out = runner.invoke(app, ["pricing", "export", "pricing_case_prices", "-o", str(exported), "--db", db])
    assert out.exit_code == 0, out.output
    again = runner.invoke(
        app, ["pricing", "import", "pricing_case_prices", str(exported), "--db", db, "--json"]
    )
    assert again.exit_code == 0, again.output
    result = json.loads(again.output)
    assert (result["inserted"], result["updated"], result["issues"]) == (0, 120, [])

    header, rows = read_rows(exported)
    broken = tmp_path / "broken.csv"
    first = next(iter(rows))
    bad = [first.values.get(name, "") for name in header]
    bad[header.index("生效日期")] = "2023-06-01"  # overlaps the stored open-ended version
    write_rows(broken, header, [bad])
    refused = runner.invoke(app, ["pricing", "import", "pricing_case_prices", str(broken), "--db", db])
    assert refused.exit_code == 2 and "PRICING_OVERLAP" in refused.output
    assert (tmp_path / "broken.report.xlsx").exists()

    drugs = runner.invoke(
        app,
        [
            "pricing",
            "drugs",
            "H33030200001",
            "--from",
            "2023-01-01",
            "--to",
            "2023-12-31",
            "--db",
            db,
            "--json",
        ],
    )
    assert drugs.exit_code == 0, drugs.output
    lines = json.loads(drugs.output)
    assert lines and not any(line["marked_up"] for line in lines)
    template = tmp_path / "template.xlsx"
    assert (
        runner.invoke(app, ["pricing", "template", "pricing_service_prices", "-o", str(template)]).exit_code
        == 0
    )
    assert template.exists()
    unknown = runner.invoke(app, ["pricing", "list", "prices", "--db", db])
    assert unknown.exit_code != 0 and "PRICING_UNKNOWN_LIST" in unknown.output
