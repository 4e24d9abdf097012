"""Laurel: a self-hostable credential platform."""

__version__ = "0.1.0"
