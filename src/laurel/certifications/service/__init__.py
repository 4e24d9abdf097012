"""The certification services: types, records, and the record lifecycle.

Records-side services are module functions taking `(session, caller, ...)`: the request's
session (they add and flush; the request's transaction commits), the `Caller` whose memberships
decide what is allowed, then the operation's own arguments. Configuration reaches them as a
small value (`Validity`), never as Settings. SQL lives in the repositories.
"""
