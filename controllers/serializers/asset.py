"""Assets as the API shows them; a fixed number of queries whatever the number of assets."""

from ..api_kit import id_name

ASSET_FIELDS = [
    "name",
    "asset_code",
    "state",
    "product_id",
    "partner_id",
    "lot_id",
    "installation_date",
    "x_sa_id",
    "x_actor_id",
    "picking_id",
    "notes",
    "create_date",
]


def serialize_assets(assets):
    return [
        {
            "id": asset.id,
            "name": asset.name,
            "asset_code": asset.asset_code or None,
            "state": asset.state,
            "product": id_name(asset.product_id),
            "customer": id_name(asset.partner_id),
            "lot": {"id": asset.lot_id.id, "serial": asset.lot_id.name} if asset.lot_id else None,
            "installation_date": asset.installation_date or None,
            "service_account": id_name(asset.x_sa_id),
            "actor": id_name(asset.x_actor_id),
            "delivery": id_name(asset.picking_id),
            "notes": asset.notes or None,
            "create_date": asset.create_date,
        }
        for asset in assets
    ]


CUSTOMER_ASSET_FIELDS = ["name", "asset_code", "state", "product_id", "lot_id", "installation_date", "x_sa_id"]


def serialize_customer_assets(assets):
    """The portal's view of a customer's own assets (no agent, delivery or internal notes)."""
    return [
        {
            "id": asset.id,
            "name": asset.name,
            "asset_code": asset.asset_code or None,
            "state": asset.state,
            "product": id_name(asset.product_id),
            "lot": {"id": asset.lot_id.id, "serial": asset.lot_id.name} if asset.lot_id else None,
            "installation_date": asset.installation_date or None,
            "service_account": id_name(asset.x_sa_id),
        }
        for asset in assets
    ]


def asset_holder(asset):
    """Who holds a serial, from its active asset (``GET /api/stock/lots/<name>``)."""
    if not asset:
        return None
    return {
        "asset_id": asset.id,
        "service_account": id_name(asset.x_sa_id),
        "customer": id_name(asset.partner_id),
    }
