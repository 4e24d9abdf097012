"""Credly-shaped endpoints, so that Open edX's Credentials service awards Laurel credentials.

Its own API family (`routing.py`): Credly's paths under `/credly/v1/`, HTTP Basic with an
organization's API token, Credly's `{"data": ...}` bodies and errors. docs/openedx.md is the
operator's guide.
"""
