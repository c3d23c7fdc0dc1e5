"""Certificate serial numbers that survive being read aloud over the phone.

A serial looks like ``MLC-7K3Q-94XD-R``: a prefix, eight Crockford base-32 characters (no I, L, O or
U, so nothing is confused with 1 or 0) and Crockford's mod-37 check character. Because 37 is prime,
the check catches every single wrong character and every swap of two neighbours. Serials are drawn
so that the check value is below 32: the check is then an ordinary base-32 character too, never one
of Crockford's five extra check symbols ``*~$=U`` that are awkward to say and to type.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS = ALPHABET + "*~$=U"
PAYLOAD_LENGTH = 8
_VALUES = {ch: i for i, ch in enumerate(CHECK_SYMBOLS)}
# Crockford decoding: letters people write for digits.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.·]+")


class SerialInvalid(ValueError):
    """The text is not a serial: wrong length or characters (``malformed``) or check (``mistyped``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _value(payload: str) -> int:
    number = 0
    for ch in payload:
        number = number * 32 + _VALUES[ch]
    return number


def check_character(payload: str) -> str:
    return CHECK_SYMBOLS[_value(payload) % 37]


def format_serial(prefix: str, payload: str, check: str) -> str:
    return f"{prefix}-{payload[:4]}-{payload[4:]}-{check}"


def new_serial(prefix: str = "MLC") -> str:
    """A random serial (40 bits); its check character is always one of the 32 plain characters."""
    while True:
        payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
        check = check_character(payload)
        if check in ALPHABET:
            return format_serial(prefix, payload, check)


def normalise(text: str, prefix: str = "MLC") -> str:
    """The canonical serial for what someone typed; raises :class:`SerialInvalid`.

    Tolerates lower case, missing or extra dashes and spaces, a missing prefix, and O/I/L for 0/1.
    """
    compact = _SEPARATORS.sub("", text or "").upper()
    if compact.startswith(prefix.upper()):
        compact = compact[len(prefix) :]
    compact = compact.translate(_CONFUSABLE)
    if len(compact) != PAYLOAD_LENGTH + 1 or any(ch not in ALPHABET for ch in compact):
        raise SerialInvalid("malformed")
    payload, check = compact[:PAYLOAD_LENGTH], compact[PAYLOAD_LENGTH]
    if check_character(payload) != check:
        raise SerialInvalid("mistyped")
    return format_serial(prefix, payload, check)
