"""The append-only, hash-chained audit log: who did what, when, from where, before → after.

Other code calls one function, inside its own unit of work, just before it commits:

    from backend import audit
    await audit.record(session, actor=caller, action="order.dispatch", target=("order", oid),
                       community_id=cid, before={...}, after={...})

The client's IP comes from the request (see `context.py`) unless `ip=` is given.
"""

from backend.audit.service import record

__all__ = ["record"]
