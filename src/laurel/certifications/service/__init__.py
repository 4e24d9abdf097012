"""The certification services: types, records, and the record lifecycle."""
