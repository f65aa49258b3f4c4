"""Counting the transactions that write to a study's database (the tests of how many
commits a claim, a trial and a pack make)."""

from __future__ import annotations

from sqlalchemy import event


class WriteCounter:
    """Counts the transactions that write to a storage's database."""

    def __init__(self, storage):
        self.writes = 0
        self._dirty = set()
        event.listen(storage.engine, "before_cursor_execute", self._statement)
        event.listen(storage.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self._dirty.add(id(conn))

    def _commit(self, conn):
        if id(conn) in self._dirty:
            self._dirty.discard(id(conn))
            self.writes += 1
