import re
from datetime import UTC, datetime, timedelta

from sanyi.kernel.clock import FixedClock
from sanyi.tiered.verification import PhoneVerifier


class Recorder:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def deliver(self, phone: str, text: str) -> None:
        self.texts.append(text)


def _code(recorder: Recorder) -> str:
    match = re.search(r"\d{6}", recorder.texts[-1])
    assert match is not None
    return match[0]


def test_a_code_works_once_before_it_expires() -> None:
    clock, sms = FixedClock(datetime(2024, 3, 1, tzinfo=UTC)), Recorder()
    verifier = PhoneVerifier(clock, sms, minutes=5)
    verifier.send("13800000000")
    code = _code(sms)
    assert not verifier.check("13900000000", code)
    assert verifier.check("13800000000", code)
    assert not verifier.check("13800000000", code)
    verifier.send("13800000000")
    clock.advance(timedelta(minutes=5, seconds=1))
    assert not verifier.check("13800000000", _code(sms))


def test_wrong_tries_use_up_the_attempts() -> None:
    clock, sms = FixedClock(datetime(2024, 3, 1, tzinfo=UTC)), Recorder()
    verifier = PhoneVerifier(clock, sms, attempts=3)
    verifier.send("13800000000")
    code = _code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert not verifier.check("13800000000", wrong)
    assert not verifier.check("13800000000", code)
