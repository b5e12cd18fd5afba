"""Helpers for list pages: links that keep the current filters, and the pager."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from sanyi.registry.api import Page

PAGE_SIZE = 50


def link(request: Request, path: str | None = None, **changes: Any) -> str:
    """The current query with some parameters changed (None removes one), on this or another path."""
    params = {key: value for key, value in request.query_params.items() if value != ""}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return (path or request.url.path) + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Pager:
    total: int
    first: int  # 1-based number of the first row shown
    last: int
    previous: str | None
    next: str | None


def pager(request: Request, page: Page[Any]) -> Pager:
    previous = None
    if page.offset > 0:
        previous = link(request, offset=max(page.offset - page.limit, 0) or None)
    following = link(request, offset=page.next_offset) if page.next_offset is not None else None
    return Pager(
        total=page.total,
        first=page.offset + 1 if page.items else 0,
        last=page.offset + len(page.items),
        previous=previous,
        next=following,
    )
