import secrets

from odoo import api, models


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _abs_secret(self, key):
        """The per-database secret stored under ``key``: generated the first time, then kept.

        Used for the JWT signing key and the mobile-money providers' callback keys; never a constant
        in code, never readable through the API.
        """
        # sudo: signing secrets are system parameters; only the private helpers of the addon read them
        params = self.sudo()
        secret = params.get_param(key)
        if not secret:
            secret = secrets.token_urlsafe(64)
            params.set_param(key, secret)
        return secret
