"""The Accredible-shaped API Open edX's Credentials service awards badges through
(docs/openedx.md (Accredible))."""
