"""Imports every model so that Alembic and the app see the whole schema."""
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import User, UserRole  # noqa: F401
from .geo.models import Township, Village  # noqa: F401
from .idempotency import UsedFormToken  # noqa: F401
from .pools.models import CollateralAsset, Contribution, FundPool, LedgerEntry, LoanRepayment  # noqa: F401
from .projects.models import (  # noqa: F401
    Project,
    ProjectAttachment,
    ProjectDecision,
    ProjectEvent,
    ProjectVersion,
    ProjectYearPlan,
)
from .vetting.models import (  # noqa: F401
    CriteriaSet,
    Criterion,
    PanelMember,
    ProjectVetting,
    Score,
    ScoreSheet,
    SiteVisit,
)
