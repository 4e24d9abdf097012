"""Wallet pages as rendered, for a few seconds, so a popular link is not verified on every view.

A page holds its credential's live verification, which costs a signature check and several
reads; serving it again for `LAUREL_PAGE_CACHE_SECONDS` makes a shared link cheap. Each process
keeps its own (cachetools' TTLCache, bounded), so a revocation shows everywhere within that time,
as a revoked API token stops working within `LAUREL_AUTH_CACHE_SECONDS`.
"""

from dataclasses import dataclass

from cachetools import TTLCache


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: dict[str, str]
    organization_id: str
    credential_id: str


class PageCache:
    def __init__(self, ttl_seconds: float, max_pages: int = 10_000) -> None:
        self._pages: TTLCache[str, CachedPage] | None = (
            TTLCache(max_pages, ttl_seconds) if ttl_seconds > 0 else None
        )

    def get(self, public_id: str) -> CachedPage | None:
        return None if self._pages is None else self._pages.get(public_id)

    def put(self, public_id: str, page: CachedPage) -> None:
        if self._pages is not None:
            self._pages[public_id] = page
