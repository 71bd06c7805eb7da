"""`flask verify-ledger` (every pool, every invariant, every chain; exit 1 if violated) and
`flask verify-statement` (does a printed statement's fingerprint still agree with the ledger?)."""
import click

from ..money import format_fen
from .verify import verify_ledger, verify_statement


@click.command("verify-ledger")
def verify_ledger_command():
    """Recompute every pool from its entries and check the ledger's invariants (exit 1 if violated)."""
    report = verify_ledger()
    for check in report.pools:
        click.echo(f"{check.pool.name}: {check.entries} entries, balance {format_fen(check.balance_fen)}")
    for warning in report.warnings:
        click.echo(f"WARNING {warning}")
    if not report.ok:
        for violation in report.violations:
            click.echo(f"VIOLATION {violation}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(report.pools)} pools, {sum(c.entries for c in report.pools)} entries, no violation.")


@click.command("verify-statement")
@click.option("--pool", "pool_id", type=click.IntRange(1), required=True, help="The pool's number (on the statement).")
@click.option("--sequence", type=click.IntRange(1), required=True, help="The last entry's sequence on the statement.")
@click.option("--fingerprint", required=True, help="The ledger fingerprint printed on the statement.")
def verify_statement_command(pool_id, sequence, fingerprint):
    """Say whether the ledger still agrees with a printed or exported statement (exit 1 if not)."""
    check = verify_statement(pool_id, sequence, fingerprint)
    click.echo(("OK: " if check.agrees else "CHANGED: ") + check.message)
    if not check.agrees:
        raise SystemExit(1)
