"""OAuth 2.1 authorization server (Authlib): placeholder until the flow lands."""

from fastapi import APIRouter

router = APIRouter(tags=["OAuth"])
