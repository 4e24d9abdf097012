"""The web app for an organization's staff: server-rendered pages on the APIs' own services."""
