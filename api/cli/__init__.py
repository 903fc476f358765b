"""The `roadmap` command line: one command per task, configured by the ROADMAP_* settings."""

from __future__ import annotations

import typer

from api.cli import auditing, readside, records, server, verifying

app = typer.Typer(
    name="roadmap",
    help="Roadmap Ledger: the event-sourced record of a bilateral partnership roadmap.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(records.demo)
app.command()(records.state)
app.command()(records.export)
app.command("import")(records.import_)
app.command()(server.serve)
app.command()(server.token)
app.command()(readside.worker)
app.add_typer(readside.projections_app, name="projections")
app.command()(readside.report)
app.add_typer(auditing.audit_app, name="audit")
app.add_typer(auditing.witness_app, name="witness")
app.command()(verifying.verify)
app.command("verify-proof")(verifying.verify_proof)


def main() -> None:
    app(prog_name="roadmap")
