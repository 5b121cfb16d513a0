"""The IDS database as the admin reads it: the API's own store module, the API's settings."""

from functools import lru_cache

from sqlalchemy import Engine

from apis.common.database import make_engine
from apis.ids import migrate
from apis.ids.settings import get_settings


@lru_cache(maxsize=1)
def ids_engine() -> Engine:
    """One engine per process on IDS_DATABASE_URL, its schema brought up to date once."""
    engine = make_engine(get_settings().database_url)
    # The admin may be opened before the IDS service first started: same migrations.
    migrate.upgrade(engine)
    return engine
