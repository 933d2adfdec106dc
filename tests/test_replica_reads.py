"""Per-worker caches are filled from the primary only: a lagging replica's answer is never kept.

Odoo 18 serves read-only routes on a replica when ``db_replica_host``/``db_replica_port`` are set
(``scripts/replica.sh`` shows it on a real streaming replica). Here the replica is this database's own
server reached through Odoo's read-only connection pool, which is all the rule looks at.
"""

from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import tagged
from odoo.tools import config

from ..helpers.replica import reads_a_replica
from ..models.ov_membership import OvMembership
from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestReplicaReadsAreNotCached(RealTransactionsCase):
    def test_a_replica_cursor_reads_revocations_and_roles_afresh(self):
        replica = {"db_replica_host": config["db_host"] or "127.0.0.1", "db_replica_port": config["db_port"] or 5432}
        with patch.dict(config.options, replica):
            connection = sql_db.db_connect(self.registry.db_name, readonly=True)
            cached = AssertionError("filled a per-worker cache from a replica")
            with (
                connection.cursor() as cr,
                patch.object(OvMembership, "_abs_roles_in_force_on", side_effect=cached),
            ):
                self.assertTrue(reads_a_replica(cr))
                env = api.Environment(cr, SUPERUSER_ID, {})
                claims = {"jti": "never-issued", "sid": "none", "sub": "employee:1", "iat": 0}
                self.assertFalse(env["abs.jwt.revocation"]._is_revoked(claims))
                self.assertEqual(env["ov.membership"]._abs_roles_in_force(0), ())
        with self.registry.cursor() as cr:
            self.assertFalse(reads_a_replica(cr), "the primary's cursor may fill the caches")
            env = api.Environment(cr, SUPERUSER_ID, {})
            # Revocations are never cached (read per request, on the primary or the replica alike).
            self.assertFalse(
                env["abs.jwt.revocation"]._is_revoked({"jti": "a", "sid": "b", "sub": "employee:2", "iat": 1})
            )
