"""What a person is told when something fails on the portal's side, and the matching log line.

Every failure that is not a refusal (PortalError) gets an error id. The person reads what
happened in words, what to do next and the id; the log holds one line with the same id and
the full exception (SQL, parameters, paths and stack stay there, never on a page).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

from portal.logs import logger, request_id_new

log = logger(__name__)

DATABASE_UNREACHABLE = (
    "The portal could not reach its database. Your last step was not saved — try again in a minute."
)
DATABASE_REFUSED = (
    "The portal's database could not complete this step, so it was not saved — try again; "
    "if it keeps happening, tell the CE office the error id."
)
STORAGE_FULL = (
    "The portal's file storage is full or cannot be written right now, so the file was not "
    "saved — try again later, or tell the CE office the error id."
)
STORAGE_FAILED = (
    "The portal could not read or store a file, so your last step was not completed — "
    "try again later, or tell the CE office the error id."
)
UNEXPECTED = (
    "Something went wrong on the portal's side and your last step was not completed — "
    "try again; if it keeps happening, tell the CE office the error id."
)
_STORAGE_FULL_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}


@dataclass(frozen=True)
class Failure:
    """What the person is shown: the message in words and the id of the log line."""

    error_id: str
    message: str

    @property
    def text(self) -> str:
        """The message followed by the error id, as one paragraph."""
        return f"{self.message} (Error id: {self.error_id})"


def failure_message(error: BaseException) -> str:
    """The words for a failure: what happened and what to do next, without any detail."""
    if isinstance(error, sa_exc.DBAPIError) and (
        error.connection_invalidated
        or isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)
    ):
        return DATABASE_UNREACHABLE
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return DATABASE_UNREACHABLE
    if isinstance(error, sa_exc.SQLAlchemyError):
        return DATABASE_REFUSED
    if isinstance(error, OSError):
        return STORAGE_FULL if error.errno in _STORAGE_FULL_ERRNOS else STORAGE_FAILED
    return UNEXPECTED


def failure_record(error: BaseException, where: str) -> Failure:
    """Log the failure once with a new error id; what to show the person."""
    failure = Failure(request_id_new(), failure_message(error))
    log.error(
        "failed: %s (error id %s)",
        where,
        failure.error_id,
        exc_info=(type(error), error, error.__traceback__),
        extra={"error_id": failure.error_id},
    )
    return failure
