"""One running bot per database: an exclusive lock on a file beside it, held for as long as the process lives.

Two bots on one database would both claim and post announcements (and each would put back the other's claims as
a crash's), so `dramabot run` takes this lease first and refuses to start without it. The operating system drops
the lock when the process ends, however it ends (even `kill -9`), so there is no stale lease to wait out.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one bot per database is then up to the operator
    fcntl = None  # type: ignore[assignment]


class DatabaseInUse(Exception):
    """Another process holds the database's lease."""

    def __init__(self, path: Path, holder: str) -> None:
        who = f"process {holder}" if holder else "another process"
        super().__init__(
            f"{path} is already used by a running Dramabot ({who}); stop that one first, or set DATABASE_PATH "
            "to another database."
        )
        self.path = path
        self.holder = holder


class DatabaseLease:
    """An exclusive, process-lifetime lock on `<database>.lock`; `release()` (or the process ending) drops it."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> DatabaseLease:
        """Take the lease, or raise DatabaseInUse naming the process that holds it."""
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise DatabaseInUse(self.database, holder) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Drop the lease (the lock file stays: removing it would let two processes lock two different files)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def hold_database(path: Path | str) -> DatabaseLease | None:
    """Take the lease on the database at `path` (None for an in-memory database); raise DatabaseInUse if taken."""
    if str(path) == ":memory:":
        return None
    return DatabaseLease(Path(path).resolve()).acquire()
