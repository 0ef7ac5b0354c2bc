"""What may leave the forwarding path: a call without its secrets, and optionally without its emails.

The caller's token goes to the upstream and nowhere else. Everything the proxy keeps or shows (the shadow's
calls, comparisons, reports, recordings, log lines) is built from what the Redactor returns. Tokens are removed
by name (headers, query parameters) and, in case an answer echoes one, by value from every string.
With `hash_emails`, each email becomes a stable sha256 prefix (no salt: the same email maps the same way in
every run, so a recording's read-backs still find their contacts).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Iterable
from urllib.parse import quote, unquote

from .exchange import HttpAnswer, ProxiedRequest
from .fields import EMAIL, JSON

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-hubspot-api-key", "x-hubspot-signature",
     "x-hubspot-signature-v3"}
)
SECRET_QUERY = frozenset({"hapikey", "access_token", "api_key", "apikey", "token", "refresh_token", "client_secret", "code"})
MIN_SECRET_LENGTH = 8  # shorter values are still redacted by name, but not hunted for in free text


def hash_email(email: str) -> str:
    return f"{hashlib.sha256(email.strip().lower().encode('utf-8')).hexdigest()[:16]}@hashed.invalid"


class Redactor:
    def __init__(self, hash_emails: bool = False) -> None:
        self.hash_emails = hash_emails
        self._secrets: set[str] = set()

    def remember(self, headers: Iterable[tuple[str, str]], query: Iterable[tuple[str, str]]) -> None:
        """Note the secrets of one call, so that any echo of them is found later."""
        for name, value in headers:
            if name.lower() in SECRET_HEADERS:
                self._add_secret(value)
                self._add_secret(value.split(" ")[-1])  # the token without its scheme
        for name, value in query:
            if name.lower() in SECRET_QUERY:
                self._add_secret(value)

    def _add_secret(self, value: str) -> None:
        value = value.strip()
        if len(value) >= MIN_SECRET_LENGTH:
            self._secrets.add(value)

    # ------------------------------------------------------------------ the pieces of an exchange
    def request(self, request: ProxiedRequest) -> ProxiedRequest:
        return ProxiedRequest(
            request.method,
            self.path(request.path),
            tuple((k, REDACTED if k.lower() in SECRET_QUERY else self.text(v)) for k, v in request.query),
            self.headers(request.headers),
            self.body(request.body),
        )

    def answer(self, answer: HttpAnswer) -> HttpAnswer:
        return HttpAnswer(answer.status, self.headers(answer.headers), self.body(answer.body))

    def headers(self, headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((k, REDACTED if k.lower() in SECRET_HEADERS else self.text(v)) for k, v in headers)

    def path(self, raw_path: str) -> str:
        if not self.hash_emails and not self._secrets:
            return raw_path
        segments = []
        for segment in raw_path.split("/"):
            cleaned = self.text(unquote(segment))
            segments.append(segment if cleaned == unquote(segment) else quote(cleaned, safe="@:+,;="))
        return "/".join(segments)

    def body(self, body: bytes) -> bytes:
        if not body or (not self.hash_emails and not any(s.encode("utf-8", "replace") in body for s in self._secrets)):
            return body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.text(text).encode("utf-8")
        cleaned = self.data(parsed)
        return body if cleaned == parsed else json.dumps(cleaned, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    # ------------------------------------------------------------------ values
    def data(self, value: JSON) -> JSON:
        if isinstance(value, dict):
            return {self.text(k): self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        if self.hash_emails and "@" in value:
            value = EMAIL.sub(lambda m: hash_email(m.group(0)) if not m.group(0).endswith("@hashed.invalid") else m.group(0), value)
        return value


# Loggers that may print a call's URL or headers: httpx logs every request's URL (a hapikey included) at INFO.
SCRUBBED_LOGGERS = ("httpx", "uvicorn.error", "uvicorn.access", "mock_server.proxy")


class ScrubbingFilter(logging.Filter):
    """Takes the remembered secrets (and, with hash_emails, the emails) out of a log record's message."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redactor.text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

    def install(self) -> None:
        for name in SCRUBBED_LOGGERS:
            logging.getLogger(name).addFilter(self)

    def uninstall(self) -> None:
        for name in SCRUBBED_LOGGERS:
            logging.getLogger(name).removeFilter(self)
