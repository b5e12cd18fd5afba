"""One typed settings object, read from ``SANYI_*`` environment variables; fails loudly at start."""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec

DEFAULT_DATABASE_URL = "sqlite:///./var/sanyi.db"

MISSING_SECRET_KEY = ErrorSpec(
    "CONFIG_MISSING_SECRET_KEY",
    ErrorKind.CONFIGURATION,
    "未设置 SANYI_SECRET_KEY（可用 python -c 'import secrets; print(secrets.token_urlsafe(48))' 生成）；"
    "演示环境请设置 SANYI_ENV=demo",
    "SANYI_SECRET_KEY is not set (generate one with "
    "python -c 'import secrets; print(secrets.token_urlsafe(48))'); set SANYI_ENV=demo for the demo",
)


class Environment(StrEnum):
    PRODUCTION = "production"
    DEMO = "demo"
    TEST = "test"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SANYI_", env_file=None, extra="ignore")

    env: Environment = Environment.PRODUCTION
    database_url: str = DEFAULT_DATABASE_URL
    # Signs CSRF tokens and peppers stored token hashes. Required outside demo mode.
    secret_key: SecretStr | None = None
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    session_hours: Annotated[int, Field(ge=1)] = 12
    api_token_days: Annotated[int, Field(ge=1)] = 30
    login_max_failures: Annotated[int, Field(ge=1)] = 5
    login_max_failures_per_ip: Annotated[int, Field(ge=1)] = 30
    login_window_minutes: Annotated[int, Field(ge=1)] = 15
    # Behind a TLS-terminating proxy, honour X-Forwarded-Proto so cookies get the Secure flag.
    trust_proxy_headers: bool = False
    log_level: str = "INFO"
    log_json: bool = False
    default_language: str = "zh"
    # Smart supervision at settlement (事中): off, flag (findings are returned with the result) or
    # block (a `violation` refuses the claim; a `suspect` only flags).
    supervision_mode: Literal["off", "flag", "block"] = "flag"

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        # Accept the common spellings and pick the driver we ship (psycopg 3).
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value.removeprefix(prefix)
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("default_language must be zh or en")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("SANYI_SECRET_KEY must be at least 32 characters")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret(self) -> bytes:
        """The secret key; in demo and test mode one is generated once and kept in the data directory.

        Outside demo mode a missing key is a configuration error, raised when something first needs
        the key (the web app at start, account commands), not when settings are read.
        """
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        if self.env is Environment.PRODUCTION:
            raise DomainError(MISSING_SECRET_KEY)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip().encode()
