"""A polite JSON client for the catalog's sources: a rate limiter, bounded retries, conditional requests.

Every call first waits for the limiter; a 429 or 5xx answer is retried with backoff (the server's
Retry-After when it sends one) a bounded number of times; an answer the client has seen before is asked
for with If-None-Match / If-Modified-Since, so an unchanged one costs a 304 and no body. Secrets in query
strings (TMDB's `api_key`) are redacted from every URL that is logged, cached or put in an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp

from bot.ratelimit import RateLimiter

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int] | Sequence[tuple[str, str | int]]

REDACTED = "REDACTED"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """A source could not answer: the network failed, retries ran out, or it refused the request."""


class NotFoundError(SourceError):
    """The source has no such record (HTTP 404)."""


class MalformedPayload(SourceError):
    """The source answered something this parser cannot read; the record is skipped."""


class SourceUnreachable(Exception):
    """The source's host refuses connections or its name does not resolve: the whole run stops, not one record.

    Not a SourceError, which skips one record and goes on: every other address is on the same host.
    """


class ResponseCache(Protocol):
    """Where answers are kept for conditional requests: (ETag, Last-Modified, body) by redacted URL."""

    async def get(self, url: str) -> tuple[str | None, str | None, bytes] | None: ...

    async def put(self, url: str, *, etag: str | None, last_modified: str | None, body: bytes) -> None: ...


@dataclass(slots=True)
class CallStats:
    """What talking to one source cost: requests sent, 304s, retries after 429/5xx, time spent waiting."""

    calls: int = 0
    not_modified: int = 0
    retries: int = 0
    waited: float = 0.0


def redact(url: str, secrets: Collection[str]) -> str:
    """Return `url` with the values of the query parameters named in `secrets` replaced."""
    if not secrets or "?" not in url:
        return url
    base, _, query = url.partition("?")
    parts = []
    for part in query.split("&"):
        name, sep, _value = part.partition("=")
        parts.append(f"{name}={REDACTED}" if sep and name in secrets else part)
    return base + "?" + "&".join(parts)


class JsonClient:
    """GET JSON from one source's API, politely (see the module docstring)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        name: str,
        limiter: RateLimiter,
        cache: ResponseCache | None = None,
        secrets: Collection[str] = (),
        default_params: Mapping[str, str] | None = None,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.stats = CallStats()
        self._session = session
        self._base = base_url.rstrip("/")
        self._limiter = limiter
        self._cache = cache
        self._secrets = frozenset(secrets)
        self._default_params = dict(default_params or {})
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep

    def url_for(self, path: str, params: Params | None = None) -> str:
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params or ())
        pairs.extend(self._default_params.items())
        return self._base + path + ("?" + urlencode(pairs, safe="[],") if pairs else "")

    async def get_json(self, path: str, params: Params | None = None) -> Any:
        """Return the decoded JSON at `path`; raise NotFoundError, MalformedPayload or SourceError."""
        url = self.url_for(path, params)
        shown = redact(url, self._secrets)
        cached = await self._cache.get(shown) if self._cache else None
        headers = {"Accept": "application/json"}
        if cached and cached[0]:
            headers["If-None-Match"] = cached[0]
        if cached and cached[1]:
            headers["If-Modified-Since"] = cached[1]
        for attempt in range(self._max_retries + 1):
            await self._limiter.acquire()
            self.stats.calls += 1
            try:
                async with self._session.get(url, headers=headers) as response:
                    status = response.status
                    body = await response.read() if status == 200 else b""
                    retry_after = response.headers.get("Retry-After")
                    etag = response.headers.get("ETag")
                    last_modified = response.headers.get("Last-Modified")
            except aiohttp.ClientConnectorError as exc:
                raise SourceUnreachable(f"{self.name} cannot be reached at {self._base} ({_why(exc)})") from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                # The exception's text may carry the URL with its secrets: only its type is kept.
                if attempt == self._max_retries:
                    raise SourceError(f"{self.name}: {shown} failed: {type(exc).__name__}") from None
                await self._wait(self._delay(attempt, None), shown, type(exc).__name__)
                continue
            if status == 304 and cached is not None:
                self.stats.not_modified += 1
                log.debug("%s: %s not modified", self.name, shown)
                return _decode(cached[2], shown)
            if status == 200:
                log.debug("%s: %s -> 200 (%d bytes)", self.name, shown, len(body))
                payload = _decode(body, shown)
                if self._cache is not None and (etag or last_modified):
                    await self._cache.put(shown, etag=etag, last_modified=last_modified, body=body)
                return payload
            if status == 404:
                raise NotFoundError(f"{self.name}: {shown} not found")
            if status not in RETRY_STATUSES:
                raise SourceError(f"{self.name}: {shown} answered HTTP {status}")
            if attempt == self._max_retries:
                break
            await self._wait(self._delay(attempt, retry_after), shown, f"HTTP {status}")
        raise SourceError(f"{self.name}: {shown} still failing after {self._max_retries} retries")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry `attempt + 1`: the server's Retry-After, else exponential backoff."""
        delay: float = self._backoff * 2.0**attempt
        if retry_after:
            try:
                delay = float(retry_after)
            except ValueError:
                with contextlib.suppress(TypeError, ValueError, IndexError):
                    delay = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
        return min(max(delay, 0.0), self._max_backoff)

    async def _wait(self, delay: float, shown: str, why: str) -> None:
        self.stats.retries += 1
        self.stats.waited += delay
        log.info("%s: %s gave %s; retrying in %.1f s", self.name, shown, why, delay)
        await self._sleep(delay)


def _why(exc: aiohttp.ClientConnectorError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "its name does not resolve"
    if isinstance(exc.os_error, ConnectionRefusedError):
        return "the connection was refused"
    return exc.os_error.strerror or type(exc.os_error).__name__


def _decode(body: bytes, shown: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise MalformedPayload(f"{shown} did not answer JSON") from None
