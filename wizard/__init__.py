from . import abs_order_approval_wizard
