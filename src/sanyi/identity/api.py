"""What other parts of Sanyi may use of identity."""

from sanyi.identity.credentials import generate_password
from sanyi.identity.errors import (
    AUTH_CSRF_FAILED,
    AUTH_FORBIDDEN,
    AUTH_INVALID_CREDENTIALS,
    AUTH_REQUIRED,
    AUTH_THROTTLED,
    USER_EXISTS,
    USER_INSTITUTION_NOT_ALLOWED,
    USER_INSTITUTION_REQUIRED,
    USER_INVALID_USERNAME,
    USER_NOT_FOUND,
    USER_WEAK_PASSWORD,
)
from sanyi.identity.model import REGIONAL_ROLES, Principal, Role, TokenKind, User
from sanyi.identity.services import IdentityService, IssuedToken, LoginPolicy

__all__ = [
    "AUTH_CSRF_FAILED",
    "AUTH_FORBIDDEN",
    "AUTH_INVALID_CREDENTIALS",
    "AUTH_REQUIRED",
    "AUTH_THROTTLED",
    "REGIONAL_ROLES",
    "USER_EXISTS",
    "USER_INSTITUTION_NOT_ALLOWED",
    "USER_INSTITUTION_REQUIRED",
    "USER_INVALID_USERNAME",
    "USER_NOT_FOUND",
    "USER_WEAK_PASSWORD",
    "IdentityService",
    "IssuedToken",
    "LoginPolicy",
    "Principal",
    "Role",
    "TokenKind",
    "User",
    "generate_password",
]
