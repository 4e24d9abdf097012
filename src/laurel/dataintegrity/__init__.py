"""W3C Data Integrity: Ed25519 proofs (eddsa-rdfc-2022, eddsa-jcs-2022) and canonical forms.

A subsystem of its own, below the domains and above `kit`: `proofs` signs and verifies,
`fastcanon` canonicalizes Laurel's own credential shape quickly (checked against pyld), `jsonld`
loads only the contexts shipped in `contexts/`. It knows nothing of credentials, issuers or the
database.
"""
