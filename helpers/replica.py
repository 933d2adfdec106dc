"""Where a cursor reads: the primary, or a streaming replica that may lag behind it.

Odoo 18 serves ``readonly`` routes (the API's GETs) on ``db_replica_host``/``db_replica_port`` when
they are set. A per-worker cache filled from a lagging replica would keep a stale answer (a token
revoked a moment ago, an ended membership) until the next invalidation, which has already passed:
such answers are read afresh on the replica, and cached only when read on the primary.
"""

from odoo.tools import config


def reads_a_replica(cr):
    """True when ``cr`` is a read-only cursor and a replica is configured (it reads the replica).

    As Odoo's registry decides: a replica is configured when ``db_replica_host`` is set, even empty
    (a local socket); without one, a read-only route gets a cursor of the primary.
    """
    return bool(cr.readonly) and config.get("db_replica_host", False) is not False
