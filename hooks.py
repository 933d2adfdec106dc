def post_init_hook(env):
    """Give each database its own JWT signing secret, created once at install, and let the API's
    technical user act in every company that exists already (res.company.create covers later ones)."""
    env["abs.api.token"]._ensure_secret()
    env["abs.payment.provider.sandbox"]._ensure_secret()  # the sandbox mobile-money provider's callback secret
    api_user = env.ref("abs_connector.user_api")
    api_user.company_ids = [(4, company.id) for company in env["res.company"].search([])]
