"""The ``sanyi`` entry point: registers each part's commands."""

import typer

from sanyi import __version__
from sanyi.cli import (
    batch,
    compensation,
    db,
    drg,
    drgpay,
    importing,
    indicators,
    knowledge,
    ledger,
    policy,
    pricing,
    procurement,
    synth,
    tiered,
    trace,
    user,
)
from sanyi.cli.demo import demo
from sanyi.cli.exporting import export
from sanyi.cli.serve import serve
from sanyi.cli.settle import settle_command, settle_encounters_command
from sanyi.cli.supervise import supervise_command

app = typer.Typer(
    help="三医联动综合平台 · Sanyi, the platform of the linked reform of healthcare, insurance and medicines",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(user.app, name="user")
app.add_typer(knowledge.app, name="knowledge")
app.add_typer(synth.app, name="synth")
app.add_typer(importing.app, name="import")
app.add_typer(policy.app, name="policy")
drgpay.register(drg.app)
app.add_typer(drg.app, name="drg")
app.add_typer(tiered.app, name="tiered")
app.add_typer(indicators.app, name="indicators")
app.add_typer(procurement.app, name="procurement")
app.add_typer(pricing.app, name="pricing")
app.add_typer(ledger.app, name="ledger")
app.add_typer(compensation.app, name="compensation")
app.add_typer(trace.app, name="trace")
app.add_typer(batch.app, name="batch")
app.command("serve")(serve)
app.command("demo")(demo)
app.command("export")(export)
app.command("settle")(settle_command)
app.command("settle-encounters")(settle_encounters_command)
app.command("supervise")(supervise_command)


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    app()
