"""Accounts, login, tokens, throttling and the audit trail, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from sanyi.bootstrap import Container
from sanyi.identity.api import Role, TokenKind
from sanyi.infrastructure.audit import Actor
from sanyi.kernel.clock import FixedClock
from sanyi.kernel.errors import DomainError

ADMIN = Actor("root", "admin", "10.0.0.1")
PASSWORD = "correct horse battery"


def test_create_login_resolve_logout(container: Container, clock: FixedClock) -> None:
    identity = container.identity
    identity.create_user(ADMIN, "wang.wu", PASSWORD, Role.INSURANCE_BUREAU, "王五")
    issued = identity.login("wang.wu", PASSWORD, TokenKind.SESSION, "10.0.0.2")
    principal = identity.resolve(issued.token)
    assert principal is not None and principal.role is Role.INSURANCE_BUREAU
    assert principal.token_kind is TokenKind.SESSION
    assert identity.get_user("wang.wu").last_login_at == clock.now()
    identity.logout(principal, "10.0.0.2")
    assert identity.resolve(issued.token) is None


def test_tokens_expire(container: Container, clock: FixedClock) -> None:
    container.identity.create_user(ADMIN, "li.si", PASSWORD, Role.REFORM_OFFICE)
    issued = container.identity.login("li.si", PASSWORD, TokenKind.SESSION, None)
    clock.advance(timedelta(hours=container.settings.session_hours, seconds=1))
    assert container.identity.resolve(issued.token) is None


def test_tokens_are_stored_only_as_hashes(container: Container) -> None:
    container.identity.create_user(ADMIN, "zhao.liu", PASSWORD, Role.ADMIN)
    issued = container.identity.login("zhao.liu", PASSWORD, TokenKind.API, None)
    with container.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT token_hash FROM auth_tokens").scalars().all()
    assert issued.token not in stored and len(stored) == 1


def test_wrong_password_and_unknown_user_look_the_same(container: Container) -> None:
    container.identity.create_user(ADMIN, "sun.qi", PASSWORD, Role.ADMIN)
    for username in ("sun.qi", "nobody"):
        with pytest.raises(DomainError) as caught:
            container.identity.login(username, "wrong password!", TokenKind.SESSION, None)
        assert caught.value.code == "AUTH_INVALID_CREDENTIALS"


def test_login_is_throttled_after_repeated_failures(container: Container, clock: FixedClock) -> None:
    identity = container.identity
    identity.create_user(ADMIN, "zhou.ba", PASSWORD, Role.ADMIN)
    for _ in range(container.settings.login_max_failures):
        with pytest.raises(DomainError):
            identity.login("zhou.ba", "wrong password!", TokenKind.SESSION, "10.1.1.1")
    with pytest.raises(DomainError) as caught:
        identity.login("zhou.ba", PASSWORD, TokenKind.SESSION, "10.1.1.1")  # even the right password
    assert caught.value.code == "AUTH_THROTTLED"
    clock.advance(timedelta(minutes=container.settings.login_window_minutes, seconds=1))
    assert identity.login("zhou.ba", PASSWORD, TokenKind.SESSION, "10.1.1.1").token


def test_disabling_a_user_revokes_their_tokens(container: Container) -> None:
    identity = container.identity
    identity.create_user(ADMIN, "wu.jiu", PASSWORD, Role.HEALTH_COMMISSION)
    issued = identity.login("wu.jiu", PASSWORD, TokenKind.API, None)
    identity.disable_user(ADMIN, "wu.jiu")
    assert identity.resolve(issued.token) is None
    with pytest.raises(DomainError):
        identity.login("wu.jiu", PASSWORD, TokenKind.API, None)


@pytest.mark.parametrize(
    ("username", "password", "role", "institution", "code"),
    [
        ("Bad Name", PASSWORD, Role.ADMIN, None, "USER_INVALID_USERNAME"),
        ("short.pw", "123", Role.ADMIN, None, "USER_WEAK_PASSWORD"),
        ("no.inst", PASSWORD, Role.INSTITUTION_STAFF, None, "USER_INSTITUTION_REQUIRED"),
        ("regional", PASSWORD, Role.ADMIN, "H33030200001", "USER_INSTITUTION_NOT_ALLOWED"),
    ],
)
def test_invalid_users_are_refused_and_nothing_is_written(
    container: Container, username: str, password: str, role: Role, institution: str | None, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        container.identity.create_user(ADMIN, username, password, role, institution_id=institution)
    assert caught.value.code == code and caught.value.path
    assert container.identity.list_users() == []


def test_duplicate_user_is_a_conflict(container: Container) -> None:
    container.identity.create_user(ADMIN, "dup.user", PASSWORD, Role.ADMIN)
    with pytest.raises(DomainError) as caught:
        container.identity.create_user(ADMIN, "dup.user", PASSWORD, Role.ADMIN)
    assert caught.value.code == "USER_EXISTS"


def test_every_change_is_audited(container: Container) -> None:
    identity = container.identity
    identity.create_user(ADMIN, "audit.me", PASSWORD, Role.INSTITUTION_STAFF, institution_id="H33030200001")
    with pytest.raises(DomainError):
        identity.login("audit.me", "wrong password!", TokenKind.SESSION, "10.9.9.9")
    identity.login("audit.me", PASSWORD, TokenKind.SESSION, "10.9.9.9")
    identity.disable_user(ADMIN, "audit.me")
    with container.uow() as uow:
        entries = container.audit.entries(uow.connection, record_type="user", record_id="audit.me")
    assert [entry.action for entry in reversed(entries)] == [
        "user.create",
        "auth.login_failed",
        "auth.login",
        "user.disable",
    ]
    assert entries[0].actor == "root" and entries[0].source_ip == "10.0.0.1"
    assert entries[1].source_ip == "10.9.9.9"
