"""Use cases of identity: manage users, log in and out, resolve tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, select, update

from sanyi.identity import credentials
from sanyi.identity.errors import (
    AUTH_INVALID_CREDENTIALS,
    AUTH_THROTTLED,
    USER_EXISTS,
    USER_INSTITUTION_NOT_ALLOWED,
    USER_INSTITUTION_REQUIRED,
    USER_INVALID_USERNAME,
    USER_NOT_FOUND,
    USER_WEAK_PASSWORD,
)
from sanyi.identity.model import MIN_PASSWORD_LENGTH, USERNAME_RE, Principal, Role, TokenKind, User
from sanyi.identity.tables import auth_tokens, login_attempts, users
from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock
from sanyi.kernel.errors import DomainError


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    session_hours: int = 12
    api_token_days: int = 30
    max_failures: int = 5
    max_failures_per_ip: int = 30
    window_minutes: int = 15


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token: shown to its owner once, never stored in clear."""

    token: str
    principal: Principal
    expires_at: datetime


class IdentityService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        secret: bytes,
        policy: LoginPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self._secret = secret
        self._policy = policy or LoginPolicy()

    # -- users ---------------------------------------------------------------------------------
    def create_user(
        self,
        actor: Actor,
        username: str,
        password: str,
        role: Role,
        display_name: str | None = None,
        institution_id: str | None = None,
    ) -> User:
        _check_new_user(username, password, role, institution_id)
        with self._uow(write=True) as uow:
            if _user_row(uow.connection, username) is not None:
                raise DomainError(USER_EXISTS, path="username", username=username)
            now = self._clock.now()
            uow.connection.execute(
                users.insert().values(
                    username=username,
                    display_name=display_name or username,
                    role=role.value,
                    institution_id=institution_id,
                    password_hash=credentials.hash_password(password),
                    active=True,
                    created_at=now,
                )
            )
            self._audit.record(
                uow.connection,
                actor,
                "user.create",
                "user",
                username,
                {"role": role.value, "institution_id": institution_id},
            )
            uow.commit()
        return self.get_user(username)

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise DomainError(USER_WEAK_PASSWORD, path="password", length=MIN_PASSWORD_LENGTH)
        with self._uow(write=True) as uow:
            self._require_user(uow.connection, username)
            uow.connection.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=credentials.hash_password(password), active=True)
            )
            self._revoke_all(uow.connection, username)
            self._audit.record(uow.connection, actor, "user.set_password", "user", username)
            uow.commit()

    def disable_user(self, actor: Actor, username: str) -> None:
        with self._uow(write=True) as uow:
            self._require_user(uow.connection, username)
            uow.connection.execute(update(users).where(users.c.username == username).values(active=False))
            self._revoke_all(uow.connection, username)
            self._audit.record(uow.connection, actor, "user.disable", "user", username)
            uow.commit()

    def get_user(self, username: str) -> User:
        with self._uow() as uow:
            return _to_user(self._require_user(uow.connection, username))

    def find_user(self, username: str) -> User | None:
        with self._uow() as uow:
            row = _user_row(uow.connection, username)
            return None if row is None else _to_user(row)

    def list_users(self) -> list[User]:
        with self._uow() as uow:
            rows = uow.connection.execute(select(users).order_by(users.c.username)).all()
            return [_to_user(row) for row in rows]

    # -- login and tokens ------------------------------------------------------------------------
    def login(self, username: str, password: str, kind: TokenKind, source_ip: str | None) -> IssuedToken:
        """Check the password (with throttling) and issue a session or API token."""
        now = self._clock.now()
        with self._uow(write=True) as uow:
            connection = uow.connection
            self._check_throttle(connection, username, source_ip, now)
            row = _user_row(connection, username)
            valid = credentials.verify_password(row.password_hash if row else None, password)
            succeeded = bool(valid and row is not None and row.active)
            connection.execute(
                login_attempts.insert().values(
                    username=username, source_ip=source_ip, at=now, succeeded=succeeded
                )
            )
            actor = Actor(username, row.role if row else "unknown", source_ip)
            if not succeeded or row is None:
                self._audit.record(connection, actor, "auth.login_failed", "user", username)
                uow.commit()  # the failed attempt must count even though the login fails
                raise DomainError(AUTH_INVALID_CREDENTIALS)
            if credentials.needs_rehash(row.password_hash):
                connection.execute(
                    update(users)
                    .where(users.c.username == username)
                    .values(password_hash=credentials.hash_password(password))
                )
            token = credentials.new_token()
            lifetime = (
                timedelta(hours=self._policy.session_hours)
                if kind is TokenKind.SESSION
                else timedelta(days=self._policy.api_token_days)
            )
            token_hash = credentials.token_hash(self._secret, token)
            connection.execute(
                auth_tokens.insert().values(
                    token_hash=token_hash,
                    username=username,
                    kind=kind.value,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
            connection.execute(update(users).where(users.c.username == username).values(last_login_at=now))
            self._audit.record(connection, actor, "auth.login", "user", username, {"kind": kind.value})
            uow.commit()
        return IssuedToken(token, _to_principal(row, token_hash, kind), now + lifetime)

    def resolve(self, token: str) -> Principal | None:
        """The principal of a valid, unexpired, unrevoked token of an active user."""
        token_hash = credentials.token_hash(self._secret, token)
        with self._uow() as uow:
            row = uow.connection.execute(
                select(users, auth_tokens.c.kind, auth_tokens.c.expires_at)
                .join(auth_tokens, auth_tokens.c.username == users.c.username)
                .where(
                    auth_tokens.c.token_hash == token_hash,
                    auth_tokens.c.revoked_at.is_(None),
                    users.c.active.is_(True),
                )
            ).first()
        if row is None or row.expires_at <= self._clock.now():
            return None
        return _to_principal(row, token_hash, TokenKind(row.kind))

    def logout(self, principal: Principal, source_ip: str | None) -> None:
        with self._uow(write=True) as uow:
            uow.connection.execute(
                update(auth_tokens)
                .where(auth_tokens.c.token_hash == principal.token_hash, auth_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self._clock.now())
            )
            self._audit.record(
                uow.connection,
                Actor(principal.username, principal.role.value, source_ip),
                "auth.logout",
                "user",
                principal.username,
            )
            uow.commit()

    def csrf_token(self, binding: str) -> str:
        return credentials.csrf_token(self._secret, binding)

    def csrf_valid(self, binding: str, submitted: str | None) -> bool:
        return credentials.csrf_valid(self._secret, binding, submitted)

    # -- helpers -------------------------------------------------------------------------------
    def _check_throttle(
        self, connection: Connection, username: str, source_ip: str | None, now: datetime
    ) -> None:
        since = now - timedelta(minutes=self._policy.window_minutes)
        if (
            self._failures(connection, login_attempts.c.username == username, since)
            >= self._policy.max_failures
        ):
            raise DomainError(AUTH_THROTTLED, minutes=self._policy.window_minutes)
        if source_ip is not None and (
            self._failures(connection, login_attempts.c.source_ip == source_ip, since)
            >= self._policy.max_failures_per_ip
        ):
            raise DomainError(AUTH_THROTTLED, minutes=self._policy.window_minutes)

    @staticmethod
    def _failures(connection: Connection, who: ColumnElement[bool], since: datetime) -> int:
        """Failed attempts in the window after the last success (a success resets the count)."""
        last_success = (
            select(func.max(login_attempts.c.at))
            .where(who, login_attempts.c.succeeded.is_(True), login_attempts.c.at >= since)
            .scalar_subquery()
        )
        query = select(func.count()).where(
            who,
            login_attempts.c.succeeded.is_(False),
            login_attempts.c.at >= func.coalesce(last_success, since),
        )
        return int(connection.execute(query).scalar_one())

    def _require_user(self, connection: Connection, username: str) -> Row[Any]:
        row = _user_row(connection, username)
        if row is None:
            raise DomainError(USER_NOT_FOUND, path="username", username=username)
        return row

    def _revoke_all(self, connection: Connection, username: str) -> None:
        connection.execute(
            update(auth_tokens)
            .where(and_(auth_tokens.c.username == username, auth_tokens.c.revoked_at.is_(None)))
            .values(revoked_at=self._clock.now())
        )


def _check_new_user(username: str, password: str, role: Role, institution_id: str | None) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise DomainError(USER_INVALID_USERNAME, path="username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(USER_WEAK_PASSWORD, path="password", length=MIN_PASSWORD_LENGTH)
    if role.institution_scoped and not institution_id:
        raise DomainError(USER_INSTITUTION_REQUIRED, path="institution_id", role=role.value)
    if not role.institution_scoped and institution_id:
        raise DomainError(USER_INSTITUTION_NOT_ALLOWED, path="institution_id", role=role.value)


def _user_row(connection: Connection, username: str) -> Row[Any] | None:
    return connection.execute(select(users).where(users.c.username == username)).first()


def _to_user(row: Row[Any]) -> User:
    return User(
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        institution_id=row.institution_id,
        active=row.active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def _to_principal(row: Row[Any], token_hash: str, kind: TokenKind) -> Principal:
    return Principal(
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        institution_id=row.institution_id,
        token_hash=token_hash,
        token_kind=kind,
    )
