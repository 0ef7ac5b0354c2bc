"""Forwarding a call to the upstream (a HubSpot portal) with the caller's own token, and its answer back unchanged.

When the upstream does not answer at all (a timeout, a refused or dropped connection), the caller gets what a
gateway in front of HubSpot answers: a 504 or 502 in HubSpot's error envelope, with a note saying why.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
from starlette.responses import Response

from .exchange import HttpAnswer

DEFAULT_UPSTREAM = "https://api.hubapi.com"
# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never forwarded. `accept-encoding` is replaced
# by identity: the body is compared, so it must arrive readable, and then it goes back as it came.
REQUEST_DROPPED = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
     "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding"}
)
ANSWER_DROPPED = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-connection", "te", "trailer", "transfer-encoding",
     "upgrade", "content-length"}
)
NOTE_HEADER = "X-HubSpot-Mock-Note"
NO_BODY_STATUSES = (204, 304)


class Upstream:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base = httpx.URL(base_url)
        if self.base.scheme not in ("http", "https") or not self.base.host:
            raise ValueError(f"--upstream {base_url!r}: expected an http(s) URL such as {DEFAULT_UPSTREAM}")
        self.prefix = self.base.raw_path.rstrip(b"/")
        self.timeout_s = timeout_s
        self.client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def send(
        self, method: str, raw_path: bytes, query_string: bytes, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[HttpAnswer, str | None, float]:
        """The upstream's answer, the fault when it gave none, and how long it took (ms)."""
        target = self.prefix + raw_path + (b"?" + query_string if query_string else b"")
        url = self.base.copy_with(raw_path=target)
        # Header values go as the bytes they came in (latin-1 round trip): httpx would refuse non-ASCII text.
        forwarded = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers if k.lower() not in REQUEST_DROPPED]
        forwarded.append((b"accept-encoding", b"identity"))
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, headers=forwarded, content=body)
        except (httpx.InvalidURL, ValueError) as exc:  # nothing was sent
            return gateway_error(502, f"the proxy could not forward this call ({type(exc).__name__})"), "not forwarded", _ms(started)
        except httpx.TimeoutException:
            # Only the exception's class is named: its text can carry the URL, and with it a hapikey.
            return gateway_error(504, f"the upstream did not answer within {self.timeout_s:g} s"), "timeout", _ms(started)
        except httpx.HTTPError as exc:
            return gateway_error(502, f"the upstream could not be reached ({type(exc).__name__})"), "connection error", _ms(started)
        decoded = "content-encoding" in response.headers  # httpx decoded a body the upstream compressed anyway
        kept = tuple(
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ANSWER_DROPPED and not (decoded and k.lower() == "content-encoding")
        )
        if method == "HEAD" and "content-length" in response.headers:
            kept += (("content-length", response.headers["content-length"]),)
        return HttpAnswer(response.status_code, kept, response.content), None, _ms(started)

    async def aclose(self) -> None:
        await self.client.aclose()


def gateway_error(status: int, message: str) -> HttpAnswer:
    correlation_id = str(uuid.uuid4())
    body = json.dumps({"status": "error", "message": message, "correlationId": correlation_id}).encode("utf-8")
    headers = (
        ("content-type", "application/json;charset=utf-8"),
        ("x-hubspot-correlation-id", correlation_id),
        (NOTE_HEADER, f"proxy: {message}; nothing was applied to the mock"),
    )
    return HttpAnswer(status, headers, body)


def to_response(answer: HttpAnswer, method: str) -> Response:
    """The upstream's answer for the caller: status, headers and body as they came."""
    response = Response(answer.body, answer.status)
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in answer.headers]
    has_length = any(k == b"content-length" for k, _ in raw)
    if not has_length and method != "HEAD" and answer.status >= 200 and answer.status not in NO_BODY_STATUSES:
        raw.append((b"content-length", str(len(answer.body)).encode("ascii")))
    response.raw_headers = raw
    return response


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
