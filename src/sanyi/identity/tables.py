"""Database tables of identity."""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

users = Table(
    "users",
    metadata,
    Column("username", String(32), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(32), nullable=False),
    Column("institution_id", String(32), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime, nullable=True),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(32), ForeignKey("users.username"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_auth_tokens_username", "username"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("source_ip", String(64), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_login_attempts_username_at", "username", "at"),
    Index("ix_login_attempts_ip_at", "source_ip", "at"),
)
