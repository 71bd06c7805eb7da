from tests.projects.conftest import (  # noqa: F401  (the project fixtures, shared)
    chain_without_the_panel,
    make_funded_pool,
    make_project,
    village_user,
)
