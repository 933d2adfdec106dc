"""The refusal codes of the catalogue (products, bills of products), each with its meaning.

Not a model. ``ov.bop.sheet``, ``ov.bop.line`` and ``product.template`` raise these meanings with the
code written out (``AbsInvalid(message, "invalid_bop_option")``); defining the codes here puts them in
the API's ErrorCode enum with their status, and tests/test_error_codes.py checks every raise against them.
"""

from ..exceptions import AbsConflict, AbsForbidden, AbsInvalid, RefusalCode

INVALID_BOP_OPTION = RefusalCode("invalid_bop_option", AbsInvalid)  # an option value of another sheet, or unknown
BOP_OPTION_CONFLICT = RefusalCode("bop_option_conflict", AbsInvalid)  # two values of one option
BOP_OPTION_REQUIRED = RefusalCode("bop_option_required", AbsInvalid)  # an option left without a choice
BOP_PRODUCT_ARCHIVED = RefusalCode("bop_product_archived", AbsConflict)  # the package holds an archived product
CATALOGUE_FORBIDDEN = RefusalCode("catalogue_forbidden", AbsForbidden)  # the shared or another SA's catalogue
