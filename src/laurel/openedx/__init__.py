"""An organization's Open edX connection: its webhook URL, and the template events pushed there.

Below `groups/` (which tells it about every template change) and below `credly/` (which serves
the events back to Open edX), so that neither makes a cycle.
"""
