from ..pools.conftest import contribute, finance, finance_client, make_pool, pool  # noqa: F401
