"""The figures of many pools at once, as the pool list and the county dashboard show them: the stored
balance and outstanding commitments, the money received by source, and the money paid to projects."""
from dataclasses import dataclass
from functools import cached_property

from .models import SourceType
from .services import PoolFigures, paid_out_by_pool_fen, pool_figures
from .statement import received_by_source


@dataclass(frozen=True)
class PoolsOverview:
    figures: dict  # pool id -> PoolFigures (stored on the pool row)
    received: dict  # pool id -> {source type: fen}
    paid: dict  # pool id -> fen paid to projects

    @property
    def totals(self) -> PoolFigures:
        return PoolFigures(sum(f.balance_fen for f in self.figures.values()),
                           sum(f.committed_fen for f in self.figures.values()))

    @cached_property
    def received_totals(self) -> dict[str, int]:
        """Summed once per page (the footer reads it source by source)."""
        return {source: sum(row[source] for row in self.received.values()) for source in SourceType}

    @property
    def paid_total(self) -> int:
        return sum(self.paid.values())


def pools_overview(pool_ids) -> PoolsOverview:
    """Three grouped queries, whatever the number of pools and entries."""
    pool_ids = list(pool_ids)
    return PoolsOverview(pool_figures(pool_ids), received_by_source(pool_ids), paid_out_by_pool_fen(pool_ids))
