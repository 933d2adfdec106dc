def post_init_hook(env):
    """Give each database its own JWT signing secret, created once at install."""
    env["abs.api.token"]._ensure_secret()
