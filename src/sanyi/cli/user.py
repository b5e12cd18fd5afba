"""``sanyi user``: manage accounts from the command line."""

from typing import Annotated

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.identity.api import Role, generate_password
from sanyi.infrastructure.audit import Actor

app = typer.Typer(help="用户管理 · user accounts", no_args_is_help=True)
CLI_ACTOR = Actor.system("cli")


@app.command("add")
def add(
    username: str,
    role: Annotated[Role, typer.Option(help="Role of the account")],
    display_name: Annotated[str | None, typer.Option(help="Name shown in pages")] = None,
    institution: Annotated[str | None, typer.Option(help="Institution code, for institution roles")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password; omit to generate one and print it once", envvar="SANYI_NEW_PASSWORD"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an account; prints a generated password once when none is given."""
    chosen = password or generate_password()
    with open_container(db) as container:
        user = run(
            lambda: container.identity.create_user(
                CLI_ACTOR, username, chosen, role, display_name, institution
            )
        )
    console.print(f"已创建 / created [bold]{user.username}[/bold] ({user.role.label_zh} · {user.role.value})")
    if password is None:
        console.print(f"初始密码 / initial password (shown once): [bold]{chosen}[/bold]")


@app.command("list")
def list_users(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List accounts."""
    with open_container(db) as container:
        users = container.identity.list_users()
    if as_json:
        print_json(
            [
                {
                    "username": u.username,
                    "display_name": u.display_name,
                    "role": u.role.value,
                    "institution_id": u.institution_id,
                    "active": u.active,
                }
                for u in users
            ]
        )
        return
    table = Table("用户名 username", "姓名 name", "角色 role", "机构 institution", "状态 active")
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            f"{u.role.label_zh} {u.role.value}",
            u.institution_id or "—",
            "启用" if u.active else "停用",
        )
    console.print(table)


@app.command("disable")
def disable(username: str, db: DbOption = None) -> None:
    """Disable an account and revoke its sessions and tokens."""
    with open_container(db) as container:
        run(lambda: container.identity.disable_user(CLI_ACTOR, username))
    console.print(f"已停用 / disabled [bold]{username}[/bold]")


@app.command("set-password")
def set_password(
    username: str,
    password: Annotated[str | None, typer.Option(envvar="SANYI_NEW_PASSWORD")] = None,
    db: DbOption = None,
) -> None:
    """Set (or generate) a new password; existing sessions are revoked."""
    chosen = password or generate_password()
    with open_container(db) as container:
        run(lambda: container.identity.set_password(CLI_ACTOR, username, chosen))
    console.print(f"已更新 / updated password of [bold]{username}[/bold]")
    if password is None:
        console.print(f"新密码 / new password (shown once): [bold]{chosen}[/bold]")
