"""Which database errors are worth retrying on a new connection (shared by the chat and workflow writers)."""
from __future__ import annotations

from sqlalchemy import exc as sa_exc


def is_transient(exc: BaseException) -> bool:
    """The connection broke (dropped, server restarting, pool exhausted or closed), not the statement."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
                            sa_exc.DisconnectionError))
