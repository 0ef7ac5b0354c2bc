"""What an armed fault does to one exchange: one effect object per rule (the rules themselves are in faults.py).

The pipeline calls every effect's hooks in the same order, with no idea which action it holds:

    before_call(principal)   before the change: answer instead (respond), wait (latency), or give no answer
                             (drop, hang)
    trim_inputs(call)        take inputs out and answer them as per-item errors (partial)
    rewrite(answer)          change the answer (batch_status)
    after_call()             after the change: wait (latency after) or give no answer (drop after)
    send(message, send)      how the answer goes out (slow_body, truncate); FaultMiddleware calls it, so error
                             answers made by the exception handlers are shaped too

A call without a fault gets NO_FAULT, whose hooks do nothing.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .backend import ItemError, Principal
from .call import Answer, Call
from .exceptions import (
    WRITE_SCOPE,
    BadGateway,
    Conflict,
    ConnectionDropped,
    GatewayTimeout,
    HubSpotError,
    InternalError,
    MissingScopes,
    NotFound,
    OriginError,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    ValidationError,
)
from .faults import RATE_LIMIT_KINDS, FaultRule
from .transport import drop_connection

EFFECT_KEY = "fault_effect"  # where the pipeline leaves the effect in scope["state"] for FaultMiddleware


class FaultEffect:
    """No fault: every hook leaves the exchange as it is."""

    label: str | None = None

    async def before_call(self, principal: Principal) -> None:
        return None

    def trim_inputs(self, call: Call) -> None:
        return None

    def rewrite(self, answer: Answer) -> Answer:
        return answer

    async def after_call(self) -> None:
        return None

    async def send(self, message: Message, send: Send, scope: Scope) -> None:
        await send(message)


NO_FAULT = FaultEffect()


class _RuleEffect(FaultEffect):
    def __init__(self, rule: FaultRule) -> None:
        self.rule = rule
        self.label = f"{rule.id}: {rule.action}" + (f" {rule.status}" if rule.status else "")


class Respond(_RuleEffect):
    """HubSpot's real answer for a status: its envelope (429 with its policy), or the CDN's HTML page."""

    async def before_call(self, principal: Principal) -> None:
        status = self.rule.status or 500
        if status in OriginError.TITLES:
            raise OriginError(status)
        if status == 429:
            raise RateLimited(RATE_LIMIT_KINDS[self.rule.rate_limit], principal.portal_id)
        raise INJECTED_ERRORS[status]()


# Each status a respond fault may give (faults.RESPOND_STATUSES), but 429 and the CDN's: HubSpot's error for it.
INJECTED_ERRORS: dict[int, Callable[[], HubSpotError]] = {
    400: lambda: ValidationError("Invalid input (injected fault)"),
    401: Unauthorized,
    403: lambda: MissingScopes(WRITE_SCOPE),
    404: lambda: NotFound("resource not found (injected fault)"),
    409: lambda: Conflict("Conflict (injected fault)"),
    500: InternalError,
    502: lambda: BadGateway("The server encountered a temporary error. Please try again later."),
    503: lambda: ServiceUnavailable("Service Unavailable"),
    504: lambda: GatewayTimeout("The request timed out. Please try again later."),
}


class Latency(_RuleEffect):
    async def before_call(self, principal: Principal) -> None:
        if self.rule.when == "before":
            await asyncio.sleep(self.rule.delay_seconds())

    async def after_call(self) -> None:
        if self.rule.when == "after":  # the write happened; the answer is late (the duplicate-write trap)
            await asyncio.sleep(self.rule.delay_seconds())


class Drop(_RuleEffect):
    async def before_call(self, principal: Principal) -> None:
        if self.rule.when == "before":
            raise ConnectionDropped()

    async def after_call(self) -> None:
        raise ConnectionDropped()  # when == "after": the write happened, the answer is lost


class Hang(_RuleEffect):
    async def before_call(self, principal: Principal) -> None:
        await asyncio.sleep(self.rule.hang_ms / 1000)
        raise ConnectionDropped()


class Partial(_RuleEffect):
    """The chosen inputs are taken out before the backend sees them and answered as per-item errors, while the
    rest is applied."""

    def trim_inputs(self, call: Call) -> None:
        inputs = call.body.get("inputs") if isinstance(call.body, dict) else None
        if not inputs:
            return
        failing = self.rule.failing_indexes(len(inputs))
        call.body = {**call.body, "inputs": [item for i, item in enumerate(inputs) if i not in failing]}
        call.item_errors.extend(
            ItemError(f"Internal error while processing inputs[{i}]. Please try again.", {"input": [str(i)]}, category="INTERNAL_ERROR")
            for i in sorted(failing)
        )


class BatchStatus(_RuleEffect):
    def rewrite(self, answer: Answer) -> Answer:
        if isinstance(answer.body, dict) and "status" in answer.body:
            answer.body["status"] = self.rule.batch_status
        return answer


class SlowBody(_RuleEffect):
    async def send(self, message: Message, send: Send, scope: Scope) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        body, size = message.get("body", b""), max(1, self.rule.chunk_bytes)
        for start in range(0, len(body), size):
            await send({"type": "http.response.body", "body": body[start : start + size], "more_body": True})
            await asyncio.sleep(self.rule.chunk_delay_ms / 1000)
        await send({"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)})


class Truncate(_RuleEffect):
    """The headers and half the body, then the connection drops."""

    async def send(self, message: Message, send: Send, scope: Scope) -> None:
        if message["type"] != "http.response.body":
            await send(message)
            return
        body = message.get("body", b"")
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        drop_connection(scope)


EFFECTS: dict[str, type[_RuleEffect]] = {
    "respond": Respond,
    "latency": Latency,
    "drop": Drop,
    "hang": Hang,
    "partial": Partial,
    "batch_status": BatchStatus,
    "slow_body": SlowBody,
    "truncate": Truncate,
}


def effect_for(rule: FaultRule | None) -> FaultEffect:
    return NO_FAULT if rule is None else EFFECTS[rule.action](rule)


class FaultMiddleware:
    """Lets the call's fault shape how its answer is sent, whoever made the answer (handler or exception
    handler). Calls without a fault pass straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_as_the_fault_says(message: Message) -> None:
            effect = state.get(EFFECT_KEY)
            if effect is None:
                await send(message)
            else:
                await effect.send(message, send, scope)

        await self.app(scope, receive, send_as_the_fault_says)
