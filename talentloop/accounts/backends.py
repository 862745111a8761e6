"""Session and user loading for every signed-in page, as one hand-written query each.

Django's database session store and ModelBackend load these through the ORM, whose query
compilation cost more than the two queries themselves on every page (see core/rows). Behaviour is
theirs: an expired or unknown session key starts an empty session; an inactive user is nobody.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core import rows


class SessionStore(DatabaseSessionStore):
    """`SESSION_ENGINE = "talentloop.accounts.backends"`: the database store, faster to load."""

    def _get_session_from_db(self) -> Session | None:
        if not isinstance(self.session_key, str):
            self._session_key = None
            return None
        expire_date = Session._meta.get_field("expire_date")
        sql = (
            f"SELECT {rows.columns(Session, 's')} FROM {Session._meta.db_table} s "  # noqa: S608
            "WHERE s.session_key = %s AND s.expire_date > %s"
        )
        now = expire_date.get_db_prep_value(timezone.now(), self._connection())
        found = rows.fetch_one(sql, [self.session_key, now], Session)
        if found is None:
            self._session_key = None
            return None
        session: Session = found[0]
        return session

    def _connection(self) -> Any:
        from django.db import connections, router

        return connections[router.db_for_read(Session)]


class UserBackend(ModelBackend):
    """ModelBackend, with the per-request `get_user` as one hand-written query."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        sql = f"SELECT {rows.columns(User, 'u')} FROM {User._meta.db_table} u WHERE u.id = %s"  # noqa: S608
        found = rows.fetch_one(sql, [pk], User)
        if found is None:
            return None
        user: User = found[0]
        return user if self.user_can_authenticate(user) else None
