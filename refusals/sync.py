"""The refusal codes of offline sync (``GET/POST /api/sync``), each defined once.

Not a model: the codes ``abs.sync`` raises; the API kit maps their meanings to HTTP statuses.
"""

from ..exceptions import AbsConflict, AbsInvalid, RefusalCode

# A pushed row the rules refuse (a posted invoice, another SA's record, a quotation that needs approval
# confirmed offline): 400 naming the row (details: table, id, the rule's own code), nothing written.
RECORD_REFUSED = RefusalCode("sync_record_refused", AbsInvalid)
# Pushed rows changed on the server since the app's last pull: 409 with their ids; pull, then push again.
CONFLICT = RefusalCode("sync_conflict", AbsConflict)
UNKNOWN_SCHEMA_VERSION = RefusalCode("unknown_schema_version", AbsInvalid)  # not a version the server serves
INVALID_PAGE = RefusalCode("invalid_sync_page", AbsInvalid)  # a page token this server did not give
# The cursor is older than the change log keeps (pruned): the app resets its database and syncs in full.
CURSOR_EXPIRED = RefusalCode("sync_cursor_expired", AbsInvalid)
