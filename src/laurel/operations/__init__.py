"""Keeping a deployment's data: backups and restores, and rotating the secret key."""
