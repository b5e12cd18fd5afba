"""Passwords (Argon2id) and tokens (random, stored only as keyed hashes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like that of a known one.
_DUMMY_HASH = _HASHER.hash("sanyi-timing-equaliser")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def generate_password() -> str:
    """A password to print once (demo accounts, resets): 16 url-safe characters."""
    return secrets.token_urlsafe(12)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(secret: bytes, token: str) -> str:
    """What the database keeps of a token: a stolen table cannot be replayed as cookies."""
    return hmac.new(secret, b"token:" + token.encode(), hashlib.sha256).hexdigest()


def csrf_token(secret: bytes, binding: str) -> str:
    """A CSRF token bound to a session (or, before login, to the anonymous CSRF cookie)."""
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, binding: str, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(csrf_token(secret, binding), submitted)
