"""PostgreSQL tests: the throwaway cluster's fixtures (see tests/pg.py)."""

from tests.pg import pg_cluster, pg_url  # noqa: F401
