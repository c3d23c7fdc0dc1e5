"""Events of the certificate service that higher layers (the plan's kept statuses) follow.

Sent inside the transaction that makes the change, before its commit, so a receiver's writes
commit (or roll back) with it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by ``certificates.issue.revoke`` and ``reissue`` (the old version superseded) before the
#: commit; keyword ``certificate`` (the row that stopped counting).
certificate_changed = _signals.signal("lms.certificate-changed")
