"""Assets (seed workflow 8): register, list, read and change the governed units at customer sites.

Assets are governed (V3, ``ov.sa_asset_assignment``) by the SA of the delivery that created them or
of the agent that registered them: another SA's asset answers 404 on every route.
"""

from odoo import http

from ..schemas.asset import (
    AssetCreate,
    AssetListQuery,
    AssetListResponse,
    AssetResponse,
    AssetUpdate,
    CustomerAssetListQuery,
    CustomerAssetListResponse,
    CustomerAssetResponse,
)
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    Link,
    api_route,
    get_own,
    governed_page,
    own_page,
)
from .serializers.asset import ASSET_FIELDS, CUSTOMER_ASSET_FIELDS, serialize_assets, serialize_customer_assets

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Assets",)
PORTAL_TAGS = ("Customer portal",)
# What a client may do next with an asset it has just registered (create -> read -> update).
THE_ASSET = {"asset_id": "$response.body#/asset/id"}
ASSET_LINKS = {
    "GetAsset": Link("GET", "/api/assets/{asset_id}", THE_ASSET),
    "UpdateAsset": Link("PUT", "/api/assets/{asset_id}", THE_ASSET),
}


def asset_answer(asset):
    return {"asset": serialize_assets(asset)[0]}


class AbsAssetController(http.Controller):
    @api_route(
        "/api/assets",
        "POST",
        auth=AUTH,
        body=AssetCreate,
        response=AssetResponse,
        status=201,
        tags=TAGS,
        links=ASSET_LINKS,
    )
    def create_asset(self, ctx, body, query):
        """Register a deployed asset by hand in the acting SA (stamped and assigned).

        409 ``asset_exists`` when the serial already has an active asset (deliveries create theirs)."""
        asset = ctx.env["ov.asset"]._abs_register(body.model_dump(exclude_unset=True), ctx.require_sa(), ctx.employee)
        return asset_answer(asset)

    @api_route("/api/assets", "GET", auth=AUTH, query=AssetListQuery, response=AssetListResponse, tags=TAGS)
    def list_assets(self, ctx, body, query):
        """Assets of the caller's SAs, newest first."""
        return governed_page(ctx, "ov.asset", query, ASSET_FIELDS, "assets", serialize_assets)

    @api_route("/api/assets/{asset_id}", "GET", auth=AUTH, response=AssetResponse, tags=TAGS)
    def get_asset(self, ctx, body, query, asset_id):
        """One asset of the caller's SAs."""
        return asset_answer(ctx.get_governed("ov.asset", asset_id, field_names=ASSET_FIELDS, what="Asset"))

    @api_route("/api/assets/{asset_id}", "PUT", auth=AUTH, body=AssetUpdate, response=AssetResponse, tags=TAGS)
    def update_asset(self, ctx, body, query, asset_id):
        """Change an asset: details, a swapped serial, notes or a dated repair note, its state."""
        asset = ctx.get_governed("ov.asset", asset_id, what="Asset")
        return asset_answer(asset._abs_update(body.model_dump(exclude_unset=True)))

    # ----------------------------------------------------------------------- customer portal

    @api_route(
        "/api/customer/assets",
        "GET",
        auth=(CUSTOMER,),
        query=CustomerAssetListQuery,
        response=CustomerAssetListResponse,
        tags=PORTAL_TAGS,
    )
    def customer_list_assets(self, ctx, body, query):
        """The calling customer's own assets, newest first (the asset a ticket is about is picked here)."""
        return own_page(ctx, "ov.asset", query, CUSTOMER_ASSET_FIELDS, "assets", serialize_customer_assets)

    @api_route(
        "/api/customer/assets/{asset_id}", "GET", auth=(CUSTOMER,), response=CustomerAssetResponse, tags=PORTAL_TAGS
    )
    def customer_get_asset(self, ctx, body, query, asset_id):
        """One of the calling customer's own assets (another customer's: 404)."""
        asset = get_own(ctx, "ov.asset", asset_id, CUSTOMER_ASSET_FIELDS, what="Asset")
        return {"asset": serialize_customer_assets(asset)[0]}
