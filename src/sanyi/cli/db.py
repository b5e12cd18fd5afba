"""``sanyi db``: apply and inspect migrations."""

import typer

from sanyi.cli.common import DbOption, console, open_container
from sanyi.infrastructure import migrate

app = typer.Typer(help="数据库迁移 · database migrations", no_args_is_help=True)


@app.command("upgrade")
def upgrade(db: DbOption = None, revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    with open_container(db) as container:
        migrate.upgrade(container.engine, revision)
        console.print(
            f"数据库已升级至 / database at revision [bold]{migrate.current_revision(container.engine)}[/bold]"
        )


@app.command("current")
def current(db: DbOption = None) -> None:
    """Show the database's revision and the latest one."""
    with open_container(db) as container:
        console.print(
            f"current: {migrate.current_revision(container.engine)}  head: {migrate.head_revision()}"
        )
