from . import (
    abs_api_token,
    abs_employee,
    abs_jwt_revocation,
    ov_membership,
    ov_outlet,
    ov_sa_assignment_mixin,
    ov_sa_customer_assignment,
    ov_serviced_account,
    res_company,
    res_partner,
    res_users,
)
