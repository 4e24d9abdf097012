"""Rendered certificates and badges (placeholder)."""

from fastapi import APIRouter

router = APIRouter()
