"""Phone checks for public booking: a one-time code sent by SMS, behind an interface.

No SMS gateway is wired: the default gateway writes the message to the log (demo), and tests use a
recording double. Codes are kept hashed, expire after a few minutes and allow a few attempts; the
store is per process (one server process; a shared store is follow-up work).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sanyi.kernel.clock import Clock

log = logging.getLogger("sanyi.tiered.sms")


class SmsGateway(Protocol):
    def deliver(self, phone: str, text: str) -> None: ...


class LogGateway:
    """Writes the message to the log instead of sending it (no real SMS gateway is configured)."""

    def deliver(self, phone: str, text: str) -> None:
        log.info("sms to %s****%s: %s", phone[:3], phone[-2:], text)


@dataclass
class _Pending:
    digest: str
    expires: datetime
    attempts: int = 0


class PhoneVerifier:
    def __init__(self, clock: Clock, gateway: SmsGateway, *, minutes: int = 5, attempts: int = 5) -> None:
        self._clock = clock
        self.gateway = gateway
        self._minutes = minutes
        self._attempts = attempts
        self._pending: dict[str, _Pending] = {}
        self._key = secrets.token_bytes(32)

    def _digest(self, phone: str, code: str) -> str:
        return hmac.new(self._key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()

    def send(self, phone: str) -> None:
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires = self._clock.now() + timedelta(minutes=self._minutes)
        self._pending[phone] = _Pending(self._digest(phone, code), expires)
        self.gateway.deliver(phone, f"【三医】预约验证码 {code}，{self._minutes} 分钟内有效。")

    def check(self, phone: str, code: str) -> bool:
        """True once for the right code before it expires; wrong tries count against the limit."""
        pending = self._pending.get(phone)
        if pending is None or self._clock.now() > pending.expires or pending.attempts >= self._attempts:
            return False
        pending.attempts += 1
        if not hmac.compare_digest(pending.digest, self._digest(phone, code)):
            return False
        del self._pending[phone]
        return True
