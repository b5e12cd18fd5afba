"""``sanyi demo``: build the demo database and serve it."""

from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from sanyi.bootstrap import build_container
from sanyi.cli.common import DbOption, console, load_settings
from sanyi.cli.serve import start
from sanyi.demo import prepare_demo


def demo(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    serve: Annotated[bool, typer.Option(help="Serve the app after preparing the database")] = True,
    db: DbOption = None,
) -> None:
    """Prepare the demo database (migrations, seed, accounts) and serve the web app."""
    settings = load_settings(db, env="demo")
    container = build_container(settings)
    with console.status(
        "准备演示数据库（首次约一分钟）/ preparing the demo database (about a minute the first time)…"
    ):
        credentials = prepare_demo(container)
    table = Table("用户名 username", "密码 password (shown once)", "角色 role")
    for account, password in credentials:
        table.add_row(account.username, password, f"{account.role.label_zh} · {account.role.value}")
    address = f"http://{host or settings.host}:{port or settings.port}"
    console.print(Panel(table, title="三医演示账号 · Sanyi demo accounts", subtitle=address))
    codes = container.trace.example_codes()
    console.print(
        f"药品追溯查询 / drug trace query {address}/public/trace — 例如 e.g. {codes['dispensed'] or '—'}"
        f"（重复发药 / dispensed twice: {codes['repeated'] or '—'}）"
    )
    if serve:
        console.print(f"在浏览器打开 / open [bold]{address}[/bold] — Ctrl+C 停止 / to stop")
        start(container, host or settings.host, port or settings.port)
