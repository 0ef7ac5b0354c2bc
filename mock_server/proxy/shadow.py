"""The shadow: a mock of its own, called in process, that receives every call the upstream applied.

It depends on the mock only through `create_app(settings)` and HTTP. It has its own token (never the
caller's) and its own id map, so a shadow's read-backs name its own objects.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from .. import Settings, create_app
from .exchange import HttpAnswer, NotJson, ProxiedRequest, parse_json
from .ids import IdMap
from .redaction import SECRET_QUERY

SHADOW_TOKEN = "pat-proxy-shadow"
SHADOW_BASE = "http://shadow.invalid"
# The headers that shape the mock's answer; everything else (the caller's token, fault headers meant for a
# stand-in upstream, cookies) stays with the upstream.
FORWARDED_HEADERS = ("content-type", "accept")


class Shadow:
    def __init__(self, settings: Settings) -> None:
        # A shadow never writes a state file or arms faults of its own: it models HubSpot, not a test set-up.
        self.settings = dataclasses.replace(settings, state_path=None, faults_path=None)
        self.app = create_app(self.settings)
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)  # a mock's 500 is an answer too
        self.client = httpx.AsyncClient(transport=transport, base_url=SHADOW_BASE)
        self.ids = IdMap()

    async def call(self, request: ProxiedRequest) -> tuple[HttpAnswer, list[str]]:
        """The shadow's answer to the call, and the upstream ids in it that no earlier answer paired."""
        parsed = parse_json(request.body)
        query = [(k, v) for k, v in request.query if k.lower() not in SECRET_QUERY]
        path, query, body, unmapped = self.ids.rewrite(request.path, query, None if isinstance(parsed, NotJson) else parsed)
        content = request.body
        if not isinstance(parsed, NotJson) and body != parsed:
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        target = path + (f"?{urlencode(query, quote_via=quote)}" if query else "")
        url = httpx.URL(SHADOW_BASE).copy_with(raw_path=target.encode("ascii", "replace"))
        headers = {"authorization": f"Bearer {SHADOW_TOKEN}"}
        for name in FORWARDED_HEADERS:
            value = request.header(name)
            if value is not None:
                headers[name] = value
        response = await self.client.request(request.method, url, headers=headers, content=content)
        return HttpAnswer(response.status_code, tuple(response.headers.multi_items()), response.content), unmapped

    def learn(self, upstream: HttpAnswer, mine: HttpAnswer) -> None:
        theirs, ours = upstream.json(), mine.json()
        if not isinstance(theirs, NotJson) and not isinstance(ours, NotJson):
            self.ids.learn(theirs, ours)

    async def openapi(self) -> Any:
        response = await self.client.get("/openapi.json")
        return response.json() if response.status_code == 200 else {}

    async def aclose(self) -> None:
        await self.client.aclose()
