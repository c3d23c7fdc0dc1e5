"""The password rule for passwords people choose themselves (activation, reset), pure.

Length beats composition rules: a long password nobody else uses is what resists guessing, so the
rule asks for ``MIN_LENGTH`` characters and refuses the guesses an attacker tries first — the
person's employee number or name inside it, and the common passwords shipped with the package
(``common-passwords.txt``, a few thousand entries). There is no rule of digits and capitals:
those make ``Password1!`` acceptable and a long passphrase awkward.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lms.i18n import _

MIN_LENGTH = 10
MAX_LENGTH = 200  # hashing cost stays bounded; nobody types more
COMMON_FILE = Path(__file__).with_name("common-passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def _squashed(text: str) -> str:
    return re.sub(r"[\s._\-]+", "", text).lower()


def problems(password: str, *, employee_no: str, name: str = "") -> list[str]:
    """Why ``password`` may not be used (in the reader's language); empty when it may."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(_("密码至少需要 %(count)s 个字符。", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        found.append(_("密码最多 %(count)s 个字符。", count=MAX_LENGTH))
    squashed = _squashed(password)
    if employee_no and _squashed(employee_no) in squashed:
        found.append(_("密码不能包含工号。"))
    name_key = _squashed(name)
    if len(name_key) >= 2 and name_key in squashed:
        found.append(_("密码不能包含姓名。"))
    if password.lower() in common_passwords() or squashed in common_passwords():
        found.append(_("这是常见密码，很容易被猜到，请换一个。"))
    elif len(set(password)) <= 2:
        found.append(_("密码不能只由一两个字符重复组成。"))
    return found
