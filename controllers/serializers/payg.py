"""PAYG plans, accounts and tokens as the API shows them (never the device secret, which is on the serial)."""

from ..api_kit import id_name

PAYG_ACCOUNT_FIELDS = [
    "name",
    "state",
    "partner_id",
    "product_id",
    "lot_id",
    "asset_id",
    "plan_id",
    "x_sa_id",
    "x_actor_id",
    "currency_id",
    "deposit",
    "price_to_own",
    "amount_paid",
    "amount_remaining",
    "days_credited",
    "credit_expiry",
    "disabled_since",
    "amount_written_off",
    "written_off_date",
    "write_off_reason",
]


def serialize_plan(plan):
    if not plan:
        return None
    per_instalment = plan.pricing_mode == "per_instalment"
    return {
        "id": plan.id,
        "name": plan.name,
        "pricing_mode": plan.pricing_mode,
        "deposit": plan.deposit,
        "price_per_day": plan.price_per_day,
        "instalment_price": plan.instalment_price if per_instalment else None,
        "cadence": plan.cadence if per_instalment else None,
        "term": (plan.term or None) if per_instalment else None,
        "price_to_own": plan.price_to_own,
        "instalment_days": plan._abs_instalment()[1],
        "free_days": plan.free_days,
        "token_unit_days": plan.token_unit_days,
        "extended_tokens": plan.extended_tokens,
        "restricted_digit_set": plan.restricted_digit_set,
    }


def serialize_tokens(tokens):
    return [
        {
            "code": token.code,
            "count": token.count,
            "type": token.token_type,
            "value": token.value,
            "days": token.days,
            "issued_at": token.create_date,
        }
        for token in tokens
    ]


def serialize_accounts(accounts):
    answers = []
    for account in accounts:
        next_instalment = account._abs_next_instalment()
        answers.append(
            {
                "id": account.id,
                "name": account.name,
                "state": account.state,
                "customer": id_name(account.partner_id),
                "product": id_name(account.product_id),
                "serial": id_name(account.lot_id),
                "asset": id_name(account.asset_id),
                "plan": serialize_plan(account.plan_id),
                "service_account": id_name(account.x_sa_id),
                "actor": id_name(account.x_actor_id),
                "currency": account.currency_id.name,
                "deposit": account.deposit,
                "price_to_own": account.price_to_own,
                "amount_paid": account.amount_paid,
                "amount_remaining": account.amount_remaining,
                "days_credited": account.days_credited,
                "days_left": account.days_left,
                "credit_expiry": account.credit_expiry or None,
                "disabled_since": account.disabled_since or None,
                "next_instalment": next_instalment
                and {"due_date": next_instalment["due_date"], "amount": next_instalment["amount"]},
                "amount_written_off": account.amount_written_off,
                "written_off_date": account.written_off_date or None,
                "write_off_reason": account.write_off_reason or None,
            }
        )
    return answers


def serialize_account_detail(account):
    return {**serialize_accounts(account)[0], "tokens": serialize_tokens(account.token_ids)}


def payment_tokens(payment):
    """The PAYG tokens a payment gave (``register-payment``'s answer)."""
    tokens = payment.env["abs.payg.token"].search([("payment_id", "in", payment.ids)])
    return serialize_tokens(tokens)


def serialize_portfolio(figures):
    """``abs.payg.account._abs_portfolio``'s figures per SA, as the report answers them (ratios rounded to 4)."""
    answers = []
    for account, figure in sorted(figures.items(), key=lambda item: item[0].id):
        if not account:
            continue  # accounts of no SA are head office's, not in a per-SA report
        outstanding = figure["outstanding"]
        par = [round(at_risk / outstanding, 4) if outstanding else 0.0 for at_risk in figure["at_risk"]]
        answers.append(
            {
                "service_account": id_name(account),
                "accounts_by_state": figure["accounts_by_state"],
                "outstanding": outstanding,
                "written_off": figure["written_off"],
                "collection_rate": round(figure["paid"] / figure["expected"], 4) if figure["expected"] else None,
                "par30": par[0],
                "par60": par[1],
                "par90": par[2],
            }
        )
    return answers
