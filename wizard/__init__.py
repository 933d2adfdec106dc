from . import abs_order_approval_wizard
from . import abs_subscription_cancel_wizard
from . import abs_payg_device_import
from . import abs_momo_statement_import
from . import abs_payg_write_off
