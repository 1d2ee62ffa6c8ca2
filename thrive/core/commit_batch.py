"""Work gathered over a transaction and done once, after it commits.

A report saves its case several times and sends several messages; an import saves hundreds of cases. Each
would otherwise ask for its own after-commit work (a detection request, a delivery task). A `CommitBatch`
subclass collects what the transaction asks for and handles it once, on commit. A batch whose transaction (or
savepoint) rolled back is not reused: its flush was dropped with it, so the next request starts a new batch.
"""

from __future__ import annotations

from typing import Self

from django.db import transaction


class CommitBatch:
    """Subclasses add the fields they gather and `deliver()`; `current()` gives this transaction's batch."""

    attribute = ""  # where the batch is kept on the connection: one name per subclass

    def __init__(self) -> None:
        self.flushed = False

    def flush(self) -> None:
        self.flushed = True
        self.deliver()

    def deliver(self) -> None:
        raise NotImplementedError

    @classmethod
    def current(cls) -> Self:
        """This transaction's batch, or a new one whose flush is registered to run on commit. Call only inside
        an atomic block."""
        connection = transaction.get_connection()
        batch: Self | None = getattr(connection, cls.attribute, None)
        waiting = (
            batch is not None
            and not batch.flushed
            and any(entry[1] == batch.flush for entry in connection.run_on_commit)
        )
        if batch is None or not waiting:
            batch = cls()
            setattr(connection, cls.attribute, batch)
            transaction.on_commit(batch.flush, robust=True)
        return batch
