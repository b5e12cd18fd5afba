"""``sanyi policy``: read the settlement policy packages as tables, and compare two."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sanyi.cli.common import JsonOption, console, print_json, run
from sanyi.knowledge.policies import (
    PAYMENT_CLASSES,
    PolicyPackage,
    PoolRules,
    diff,
    flatten,
    load_package,
    package_names,
)

app = typer.Typer(help="结算政策包 · settlement policy packages", no_args_is_help=True)

PackageArgument = Annotated[str, typer.Argument(help="Package name, e.g. hangzhou-2020")]


def _yuan(fen: int | None) -> str:
    if fen is None:
        return "—"
    whole, cents = divmod(fen, 100)
    return f"{whole:,}.{cents:02d}"


@app.command("list")
def list_packages(as_json: JsonOption = False) -> None:
    """List the shipped packages."""
    packages = [load_package(name) for name in package_names()]
    if as_json:
        print_json(
            [
                {"package": p.name, "region": p.region, "version": p.version, "title_zh": p.title_zh}
                for p in packages
            ]
        )
        return
    table = Table(
        "政策包 package", "统筹区 region", "版本 version", "生效 effective", "等级 grade", "名称 title"
    )
    for p in packages:
        table.add_row(p.name, p.region, p.version, p.effective_from.isoformat(), p.grade, p.title_zh)
    console.print(table)


@app.command("show")
def show(package: PackageArgument, as_json: JsonOption = False) -> None:
    """Print every parameter of a package with its source, as readable tables."""
    loaded = run(lambda: load_package(package))
    if as_json:
        print_json(flatten(loaded))
        return
    _print_header(loaded)
    for scheme in loaded.schemes.values():
        for pool in scheme.pools.values():
            _print_pool(loaded, scheme.scheme, scheme.groups, pool)
    _print_layers(loaded)
    sources = Table(
        "代号 key", "文件 document", "条款 clause", "等级 grade", "示例 illustrative", title="来源 · sources"
    )
    for source in loaded.sources.values():
        sources.add_row(
            source.key, source.document, source.clause, source.grade, "是" if source.illustrative else ""
        )
    console.print(sources)


def _print_header(package: PolicyPackage) -> None:
    console.rule(f"[bold]{package.title_zh}[/bold] · {package.title_en}")
    effective = f"{package.effective_from.isoformat()} – {package.effective_to or '…'}"
    console.print(
        f"政策包 package [bold]{package.name}[/bold]  统筹区 region {package.region}  版本 version "
        f"{package.version}  生效 effective {effective}  等级 grade {package.grade}"
        + ("  [yellow]示例 illustrative[/yellow]" if package.illustrative else "")
    )
    pools = ", ".join(f"{kind}→{pool}" for kind, pool in package.encounter_pools.items())
    console.print(f"就诊类型与统筹 encounter pools: {pools}")


def _print_pool(package: PolicyPackage, scheme: str, groups: tuple[str, ...], pool: PoolRules) -> None:
    rule = pool.deductible
    extras = []
    if rule.second_stay_factor is not None:
        extras.append(f"second_stay_factor {rule.second_stay_factor}")
    if rule.continuous_on_referral:
        extras.append("continuous_on_referral")
    if rule.exempt_classes:
        extras.append(f"exempt {','.join(sorted(rule.exempt_classes))}")
    bounds = [0, *pool.ratios.bounds_fen]
    segments = [
        f"{_yuan(low)}–{_yuan(bounds[i + 1]) if i + 1 < len(bounds) else '∞'}" for i, low in enumerate(bounds)
    ]
    table = Table(
        "机构类别 class",
        "人员 group",
        "起付线 deductible",
        *[f"比例 {segment}" for segment in segments],
        title=f"{scheme} · {pool.pool} — 起付线 {rule.strategy}"
        + (f" ({'; '.join(extras)})" if extras else ""),
        caption=f"来源 {rule.source.key} / {pool.ratios.source.key}；年度封顶 cap {_yuan(pool.cap_fen)}",
    )
    for payment_class in PAYMENT_CLASSES:
        cells = [
            (
                "免 exempt"
                if payment_class in rule.exempt_classes
                else _yuan(rule.amounts_fen.get((payment_class, group), 0)),
                pool.ratios.table[(payment_class, group)],
            )
            for group in groups
        ]
        # One row per class when every group is paid alike; the table stays readable.
        if all(cell == cells[0] for cell in cells):
            table.add_row(payment_class, "全部 all", cells[0][0], *[str(r) for r in cells[0][1]])
            continue
        for group, (amount, row) in zip(groups, cells, strict=True):
            table.add_row(payment_class, group, amount, *[str(r) for r in row])
    console.print(table)
    if pool.overrides or pool.modifiers:
        adjustments = Table(
            "名称 name",
            "条件 when",
            "调整 adjustment",
            "来源 source",
            title="特殊规则与调整 · overrides and modifiers",
        )
        flat = flatten(package)
        prefix = f"{scheme}.{pool.pool}"
        for override in pool.overrides:
            change = []
            if override.ratio is not None:
                change.append(f"ratio = {override.ratio}")
            if override.deductible_fen is not None:
                change.append(f"deductible = {_yuan(override.deductible_fen)}")
            when = flat[f"{prefix}.override.{override.name}.when"]
            adjustments.add_row(override.name, when, "; ".join(change), override.source.key)
        for modifier in pool.modifiers:
            when = flat[f"{prefix}.modifier.{modifier.name}.when"]
            adjustments.add_row(modifier.name, when, f"ratio {modifier.delta:+}", modifier.source.key)
        console.print(adjustments)


def _print_layers(package: PolicyPackage) -> None:
    layer = package.catastrophic
    if layer is not None:
        bounds = [layer.threshold_fen, *layer.bounds_fen]
        table = Table(
            "累计自付段 segment", "比例 ratio", title=f"大病保险 · catastrophic (来源 {layer.source.key})"
        )
        for index, ratio in enumerate(layer.ratios):
            high = _yuan(bounds[index + 1]) if index + 1 < len(bounds) else "∞"
            table.add_row(f"{_yuan(bounds[index])}–{high}", str(ratio))
        pools = ",".join(sorted(layer.pools))
        table.caption = f"起付 {_yuan(layer.threshold_fen)}；封顶 {_yuan(layer.cap_fen)}；pools {pools}"
        console.print(table)
    assistance = package.assistance
    if assistance is not None:
        table = Table(
            "救助类别 category",
            "起付线 deductible",
            "比例 ratio",
            title=f"医疗救助 · assistance (来源 {assistance.source.key})",
        )
        for category, (fen, ratio) in assistance.categories.items():
            table.add_row(category, _yuan(fen), str(ratio))
        table.caption = f"年度限额 cap {_yuan(assistance.cap_fen)}"
        console.print(table)


@app.command("diff")
def diff_packages(
    first: PackageArgument,
    second: PackageArgument,
    as_json: JsonOption = False,
) -> None:
    """Compare two packages parameter by parameter (aliases expanded)."""
    a = run(lambda: load_package(first))
    b = run(lambda: load_package(second))
    changes = diff(a, b)
    if as_json:
        print_json([{"parameter": key, first: left, second: right} for key, left, right in changes])
        return
    table = Table("参数 parameter", first, second, title=f"差异 · {len(changes)} parameters differ")
    for key, left, right in changes:
        table.add_row(
            key,
            left if left is not None else "[dim]（无）[/dim]",
            right if right is not None else "[dim]（无）[/dim]",
        )
    console.print(table)
