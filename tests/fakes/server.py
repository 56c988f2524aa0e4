"""The plumbing every fake API shares: a real aiohttp server on 127.0.0.1, a request log, ETags, failures."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from aiohttp import web


@dataclass(frozen=True, slots=True)
class Recorded:
    at: float  # the test's clock when the request arrived
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int


@dataclass(slots=True)
class _Failure:
    prefix: str
    status: int
    remaining: int
    retry_after: str | None


class FakeApi:
    """Serve an aiohttp app on a free loopback port; record every request and the status answered."""

    def __init__(self, *, clock: Callable[[], float] = lambda: 0.0, root: str = "") -> None:
        self.clock = clock
        self.root = root
        self.requests: list[Recorded] = []
        self._failures: list[_Failure] = []
        self.app = web.Application(middlewares=[self._middleware])
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> Self:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}{self.root}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, prefix: str, status: int, *, times: int, retry_after: str | None = None) -> None:
        """Answer the next `times` requests whose path starts with `prefix` with `status`."""
        self._failures.append(_Failure(self.root + prefix, status, times, retry_after))

    def calls(self, prefix: str = "", *, status: int | None = None) -> int:
        return sum(
            1 for r in self.requests if r.path.startswith(self.root + prefix) and (status is None or r.status == status)
        )

    def reset_log(self) -> None:
        self.requests.clear()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        response: web.StreamResponse
        failure = next((f for f in self._failures if f.remaining > 0 and request.path.startswith(f.prefix)), None)
        if failure is not None:
            failure.remaining -= 1
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            response = web.json_response({"message": "slow down"}, status=failure.status, headers=headers)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                response = exc
        query = {key: request.query.getall(key) for key in request.query}
        self.requests.append(Recorded(self.clock(), request.path, query, dict(request.headers), response.status))
        return response


def json_answer(request: web.Request, payload: Any, *, status: int = 200) -> web.Response:
    """Answer JSON with a strong ETag, and 304 to a request that already holds it."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    if status == 200 and request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    headers = {"ETag": etag} if status == 200 else {}
    return web.Response(body=body, status=status, content_type="application/json", headers=headers)
