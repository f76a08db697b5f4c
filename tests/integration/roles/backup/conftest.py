"""The real PostgreSQL server the backup round trips run against."""

import pytest

from pg_server import postgres_server


@pytest.fixture(scope='session')
def postgres():
    server = postgres_server()
    yield server
    server.stop()
