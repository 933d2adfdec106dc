"""The refusal codes of each workflow, each defined once with its meaning (``exceptions.RefusalCode``).

Not models: the models raise them (``raise rules.LOT_REQUIRED(env._("..."), details={...})``), the
backend shows their message like any ``UserError``, and the API kit alone maps a meaning to its HTTP
status. One module per workflow; a code shared by two keeps the same meaning.
"""

from . import asset, cash, catalogue, invoice, payg, payment, reconciliation, sale, stock, subscription, sync  # noqa: F401 (each registers its codes)
