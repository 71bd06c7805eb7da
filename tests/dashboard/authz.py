"""Authorization entries of the county dashboard (see tests/test_authorization_matrix.py): county roles only."""
from fundtracker.auth.roles import COUNTY_ROLES

from ..authz_helpers import Check, only

COUNTY_ONLY = only(*COUNTY_ROLES)

ENTRIES = {
    "/dashboard": [Check("GET", "/dashboard", COUNTY_ONLY), Check("GET", "/dashboard?year=2026&township=1&pool=1",
                                                                  COUNTY_ONLY)],
    "/dashboard.<fmt>": [Check("GET", "/dashboard.xlsx", COUNTY_ONLY)],
}
