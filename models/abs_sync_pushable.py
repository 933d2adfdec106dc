from odoo import fields, models


class AbsSyncPushable(models.AbstractModel):
    """A record the field app may create offline (``POST /api/sync``): it keeps the app's own id.

    The app's id is the push's idempotency key (a push retried after a lost answer creates nothing twice)
    and the id the row keeps on the phone, so the next pull updates the row the app made.
    """

    _name = "abs.sync.pushable"
    _description = "Created offline by the field app (abstract)"

    x_sync_client_id = fields.Char(
        string="Offline Id",
        copy=False,
        readonly=True,
        help="The id the field app gave it offline.",
    )

    _sql_constraints = [
        ("abs_sync_client_id_unique", "UNIQUE(x_sync_client_id)", "A row pushed by the field app is created once."),
    ]
