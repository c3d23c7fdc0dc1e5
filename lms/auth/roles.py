"""Who may give or take which role: the one rule every path that changes roles goes through.

Nobody grants a role above their own: HR may give or take ``learner`` and ``trainer``; only an admin
(or the command line, run by whoever operates the server) may give or take ``hr`` and ``admin``.
"""

from __future__ import annotations

from collections.abc import Iterable

from lms.auth.models import ROLES

_GRANTS = {"admin": frozenset(ROLES), "hr": frozenset({"learner", "trainer"})}


def grantable(actor_roles: Iterable[str] | None) -> frozenset[str]:
    """The roles an actor may give or take; ``None`` is the command line (everything)."""
    if actor_roles is None:
        return frozenset(ROLES)
    allowed: frozenset[str] = frozenset()
    for role in actor_roles:
        allowed |= _GRANTS.get(role, frozenset())
    return allowed


def refused_roles(
    actor_roles: Iterable[str] | None, before: Iterable[str], after: Iterable[str]
) -> frozenset[str]:
    """The roles whose change (added or removed) the actor may not make; empty when allowed."""
    changed = frozenset(before) ^ frozenset(after)
    return changed - grantable(actor_roles)
