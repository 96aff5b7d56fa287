"""The session engine (settings.SESSION_ENGINE): Django's database sessions, read with
one line of SQL. Every signed-in request reads its session; through the ORM, building
that query cost more than the database took to answer it."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from core.sql import rows, table


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        """The session's data if it exists and has not expired; else none, and a new key
        when the session is saved (as Django's own store does)."""
        found = rows(
            f"SELECT session_data FROM {table(self.model)} WHERE session_key = %s AND expire_date > %s",
            [self.session_key, timezone.now()],
        )
        if not found:
            self._session_key = None
            return {}
        return self.decode(found[0][0])
