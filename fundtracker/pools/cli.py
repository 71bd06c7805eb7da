"""`flask verify-ledger`: recompute every pool and check every ledger invariant (exit 1 if violated)."""
import click

from ..money import format_fen
from .verify import verify_ledger


@click.command("verify-ledger")
def verify_ledger_command():
    """Recompute every pool from its entries and check the ledger's invariants (exit 1 if violated)."""
    report = verify_ledger()
    for check in report.pools:
        click.echo(f"{check.pool.name}: {check.entries} entries, balance {format_fen(check.balance_fen)}")
    if not report.ok:
        for violation in report.violations:
            click.echo(f"VIOLATION {violation}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(report.pools)} pools, {sum(c.entries for c in report.pools)} entries, no violation.")
