"""How the official HubSpot SDKs take an answer: returned, returned None, raised, or retried.

The SDKs swallow some of HubSpot's answers. The Python SDK (`hubspot-api-client` 12) deserializes only the
statuses its generated code maps (a 201 where only 200 is mapped returns None, the body lost); the Node SDK
(`@hubspot/api-client` 13) throws on every status it does not map, needs a Content-Type to read any answer, and
maps no success at all for some operations (the subscriber-state upserts throw on every answer). `verdicts()`
says, for one answer, what each SDK hands its caller, in one line a person can read.

The tables below are written down from the SDKs' generated code; tests/test_sdk_verdict.py replays a matrix of
answers through both real SDKs and checks every verdict, so a table that drifts from the SDK fails there.
- Python: `hubspot/marketing/events/api/*.py` and `hubspot/crm/contacts/api/*.py` (`response_types_map`),
  `rest.py` (which exception per status), `api_client.py` (decode, then deserialize; date-times go through
  `dateutil.parser.parse`), urllib3's default `Retry(3)`.
- Node: `lib/codegen/{marketing/events,crm/contacts}/apis/*Api.js` (the `*ResponseProcessor` classes: the exact
  codes that return, then `isCodeInRange("0")`, which matches every other code and throws), `ObjectSerializer.parse`
  (the Content-Type rules), `lib/src/services/decorators/RetryDecorator.js` (retries).

Pure Python and cheap: nothing here does I/O; the body is parsed only when a verdict depends on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

PYTHON_SDK_VERSION = "12.0.0"  # hubspot-api-client, the version the Python table was read from
NODE_SDK_VERSION = "13.5.0"  # @hubspot/api-client, pinned in tests/node/package.json

OperationKey = tuple[str, str]  # (HTTP method, v3 path template)


@dataclass(frozen=True)
class Verdict:
    sdk: str  # "python" / "node"
    sdk_version: str  # the version the table was derived from
    outcome: str  # "returns" | "returns None" | "raises" | "retries"
    text: str  # one line for people: "Python SDK 12: returns None: 201 is not mapped"


@dataclass(frozen=True)
class SdkMethod:
    """The SDK method that calls one operation, and the statuses its generated code deserializes."""

    name: str  # reached from the client, e.g. "marketing.events.batch_api.upsert"
    models: Mapping[int, str | None]  # status -> model; None: returns without reading the body (Node's 204)


def _ops(rows: list[tuple[str, str, str, dict[int, str | None]]]) -> dict[OperationKey, SdkMethod]:
    return {(method, template): SdkMethod(name, models) for method, template, name, models in rows}


ME = "/marketing/v3/marketing-events"
CONTACTS = "/crm/v3/objects/contacts"

# Python: each method's `response_types_map`. An empty map: every 2xx returns None.
PYTHON_METHODS: dict[OperationKey, SdkMethod] = _ops([
    ("POST", f"{ME}/attendance/{{externalEventId}}/{{subscriberState}}/email-create", "marketing.events.add_event_attendees_api.record_by_contact_emails", {200: "BatchResponseSubscriberEmailResponse"}),
    ("POST", f"{ME}/{{objectId}}/attendance/{{subscriberState}}/create", "marketing.events.add_event_attendees_api.record_by_contact_id", {200: "BatchResponseSubscriberVidResponse"}),
    ("POST", f"{ME}/attendance/{{externalEventId}}/{{subscriberState}}/create", "marketing.events.add_event_attendees_api.record_by_contact_ids", {200: "BatchResponseSubscriberVidResponse"}),
    ("POST", f"{ME}/{{objectId}}/attendance/{{subscriberState}}/email-create", "marketing.events.add_event_attendees_api.record_by_email", {200: "BatchResponseSubscriberEmailResponse"}),
    ("DELETE", f"{ME}/events/{{externalEventId}}", "marketing.events.basic_api.archive", {}),
    ("DELETE", f"{ME}/{{objectId}}", "marketing.events.basic_api.archive_by_object_id", {}),
    ("POST", f"{ME}/events", "marketing.events.basic_api.create", {200: "MarketingEventDefaultResponse"}),
    ("GET", ME, "marketing.events.basic_api.get_all", {200: "CollectionResponseMarketingEventPublicReadResponseV2ForwardPaging"}),
    ("GET", f"{ME}/{{objectId}}", "marketing.events.basic_api.get_by_object_id", {200: "MarketingEventPublicReadResponseV2"}),
    ("GET", f"{ME}/events/{{externalEventId}}", "marketing.events.basic_api.get_details", {200: "MarketingEventPublicReadResponse"}),
    ("PATCH", f"{ME}/events/{{externalEventId}}", "marketing.events.basic_api.update", {200: "MarketingEventPublicDefaultResponse"}),
    ("PATCH", f"{ME}/{{objectId}}", "marketing.events.basic_api.update_by_object_id", {200: "MarketingEventPublicDefaultResponseV2"}),
    ("PUT", f"{ME}/events/{{externalEventId}}", "marketing.events.basic_api.upsert", {200: "MarketingEventPublicDefaultResponse"}),
    ("POST", f"{ME}/events/delete", "marketing.events.batch_api.archive", {}),
    ("POST", f"{ME}/batch/archive", "marketing.events.batch_api.archive_by_object_id", {}),
    ("POST", f"{ME}/batch/update", "marketing.events.batch_api.update_by_object_id", {200: "BatchResponseMarketingEventPublicDefaultResponseV2", 207: "BatchResponseMarketingEventPublicDefaultResponseV2WithErrors"}),
    ("POST", f"{ME}/events/upsert", "marketing.events.batch_api.upsert", {200: "BatchResponseMarketingEventPublicDefaultResponse"}),
    ("POST", f"{ME}/events/{{externalEventId}}/cancel", "marketing.events.change_property_api.cancel", {200: "MarketingEventDefaultResponse"}),
    ("POST", f"{ME}/events/{{externalEventId}}/complete", "marketing.events.change_property_api.complete", {200: "MarketingEventDefaultResponse"}),
    ("GET", f"{ME}/events/search", "marketing.events.identifiers_api.do_search", {200: "CollectionResponseSearchPublicResponseWrapperNoPaging"}),
    ("GET", f"{ME}/{{externalEventId}}/identifiers", "marketing.events.identifiers_api.search_portal_events", {200: "CollectionResponseWithTotalMarketingEventIdentifiersResponseNoPaging"}),
    ("PUT", f"{ME}/associations/{{externalAccountId}}/{{externalEventId}}/lists/{{listId}}", "marketing.events.list_associations_api.associate_by_external_account_and_event_ids", {}),
    ("PUT", f"{ME}/associations/{{marketingEventId}}/lists/{{listId}}", "marketing.events.list_associations_api.associate_by_marketing_event_id", {}),
    ("DELETE", f"{ME}/associations/{{externalAccountId}}/{{externalEventId}}/lists/{{listId}}", "marketing.events.list_associations_api.disassociate_by_external_account_and_event_ids", {}),
    ("DELETE", f"{ME}/associations/{{marketingEventId}}/lists/{{listId}}", "marketing.events.list_associations_api.disassociate_by_marketing_event_id", {}),
    ("GET", f"{ME}/associations/{{externalAccountId}}/{{externalEventId}}/lists", "marketing.events.list_associations_api.get_all_by_external_account_and_event_ids", {200: "CollectionResponseWithTotalPublicListNoPaging"}),
    ("GET", f"{ME}/associations/{{marketingEventId}}/lists", "marketing.events.list_associations_api.get_all_by_marketing_event_id", {200: "CollectionResponseWithTotalPublicListNoPaging"}),
    ("GET", f"{ME}/participations/contacts/{{contactIdentifier}}/breakdown", "marketing.events.retrieve_participant_state_api.get_participations_breakdown_by_contact_id", {200: "CollectionResponseWithTotalParticipationBreakdownForwardPaging"}),
    ("GET", f"{ME}/participations/{{externalAccountId}}/{{externalEventId}}/breakdown", "marketing.events.retrieve_participant_state_api.get_participations_breakdown_by_external_event_id", {200: "CollectionResponseWithTotalParticipationBreakdownForwardPaging"}),
    ("GET", f"{ME}/participations/{{marketingEventId}}/breakdown", "marketing.events.retrieve_participant_state_api.get_participations_breakdown_by_marketing_event_id", {200: "CollectionResponseWithTotalParticipationBreakdownForwardPaging"}),
    ("GET", f"{ME}/participations/{{externalAccountId}}/{{externalEventId}}", "marketing.events.retrieve_participant_state_api.get_participations_counters_by_event_external_id", {200: "AttendanceCounters"}),
    ("GET", f"{ME}/participations/{{marketingEventId}}", "marketing.events.retrieve_participant_state_api.get_participations_counters_by_marketing_event_id", {200: "AttendanceCounters"}),
    ("GET", f"{ME}/{{appId}}/settings", "marketing.events.settings_api.get_all", {200: "EventDetailSettings"}),
    ("POST", f"{ME}/{{appId}}/settings", "marketing.events.settings_api.update", {200: "EventDetailSettings"}),
    ("POST", f"{ME}/events/{{externalEventId}}/{{subscriberState}}/email-upsert", "marketing.events.subscriber_state_changes_api.upsert_by_contact_email", {}),
    ("POST", f"{ME}/events/{{externalEventId}}/{{subscriberState}}/upsert", "marketing.events.subscriber_state_changes_api.upsert_by_contact_id", {}),
    ("POST", f"{CONTACTS}/search", "crm.contacts.search_api.do_search", {200: "CollectionResponseWithTotalSimplePublicObjectForwardPaging"}),
    ("GET", f"{CONTACTS}/{{contactId}}", "crm.contacts.basic_api.get_by_id", {200: "SimplePublicObjectWithAssociations"}),
    ("POST", CONTACTS, "crm.contacts.basic_api.create", {201: "SimplePublicObject"}),
    ("PATCH", f"{CONTACTS}/{{contactId}}", "crm.contacts.basic_api.update", {200: "SimplePublicObject"}),
    ("POST", f"{CONTACTS}/batch/read", "crm.contacts.batch_api.read", {200: "BatchResponseSimplePublicObject", 207: "BatchResponseSimplePublicObjectWithErrors"}),
])

# Node: the exact codes each `*WithHttpInfo` response processor returns on (None: a 204 returned unread). Every
# other code, 2xx included, falls into `isCodeInRange("0")`: the body is parsed, then ApiException is thrown.
NODE_METHODS: dict[OperationKey, SdkMethod] = _ops([
    ("POST", f"{ME}/attendance/{{externalEventId}}/{{subscriberState}}/email-create", "marketing.events.addEventAttendeesApi.recordByContactEmails", {200: "BatchResponseSubscriberEmailResponse"}),
    ("POST", f"{ME}/{{objectId}}/attendance/{{subscriberState}}/create", "marketing.events.addEventAttendeesApi.recordByContactId", {200: "BatchResponseSubscriberVidResponse"}),
    ("POST", f"{ME}/attendance/{{externalEventId}}/{{subscriberState}}/create", "marketing.events.addEventAttendeesApi.recordByContactIds", {200: "BatchResponseSubscriberVidResponse"}),
    ("POST", f"{ME}/{{objectId}}/attendance/{{subscriberState}}/email-create", "marketing.events.addEventAttendeesApi.recordByEmail", {200: "BatchResponseSubscriberEmailResponse"}),
    ("DELETE", f"{ME}/events/{{externalEventId}}", "marketing.events.basicApi.archive", {204: None}),
    ("DELETE", f"{ME}/{{objectId}}", "marketing.events.basicApi.archiveByObjectId", {204: None}),
    ("POST", f"{ME}/events", "marketing.events.basicApi.create", {200: "MarketingEventDefaultResponse"}),
    ("GET", ME, "marketing.events.basicApi.getAll", {200: "CollectionResponseMarketingEventPublicReadResponseV2ForwardPaging"}),
    ("GET", f"{ME}/{{objectId}}", "marketing.events.basicApi.getByObjectId", {200: "MarketingEventPublicReadResponseV2"}),
    ("GET", f"{ME}/events/{{externalEventId}}", "marketing.events.basicApi.getDetails", {200: "MarketingEventPublicReadResponse"}),
    ("PATCH", f"{ME}/events/{{externalEventId}}", "marketing.events.basicApi.update", {200: "MarketingEventPublicDefaultResponse"}),
    ("PATCH", f"{ME}/{{objectId}}", "marketing.events.basicApi.updateByObjectId", {200: "MarketingEventPublicDefaultResponseV2"}),
    ("PUT", f"{ME}/events/{{externalEventId}}", "marketing.events.basicApi.upsert", {200: "MarketingEventPublicDefaultResponse"}),
    ("POST", f"{ME}/events/delete", "marketing.events.batchApi.archive", {}),
    ("POST", f"{ME}/batch/archive", "marketing.events.batchApi.archiveByObjectId", {204: None}),
    ("POST", f"{ME}/batch/update", "marketing.events.batchApi.updateByObjectId", {200: "BatchResponseMarketingEventPublicDefaultResponseV2", 207: "BatchResponseMarketingEventPublicDefaultResponseV2WithErrors"}),
    ("POST", f"{ME}/events/upsert", "marketing.events.batchApi.upsert", {200: "BatchResponseMarketingEventPublicDefaultResponse"}),
    ("POST", f"{ME}/events/{{externalEventId}}/cancel", "marketing.events.changePropertyApi.cancel", {200: "MarketingEventDefaultResponse"}),
    ("POST", f"{ME}/events/{{externalEventId}}/complete", "marketing.events.changePropertyApi.complete", {200: "MarketingEventDefaultResponse"}),
    ("GET", f"{ME}/events/search", "marketing.events.identifiersApi.doSearch", {200: "CollectionResponseSearchPublicResponseWrapperNoPaging"}),
    ("GET", f"{ME}/{{externalEventId}}/identifiers", "marketing.events.identifiersApi.searchPortalEvents", {200: "CollectionResponseWithTotalMarketingEventIdentifiersResponseNoPaging"}),
    ("PUT", f"{ME}/associations/{{externalAccountId}}/{{externalEventId}}/lists/{{listId}}", "marketing.events.listAssociationsApi.associateByExternalAccountAndEventIds", {204: None}),
    ("PUT", f"{ME}/associations/{{marketingEventId}}/lists/{{listId}}", "marketing.events.listAssociationsApi.associateByMarketingEventId", {204: None}),
    ("DELETE", f"{ME}/associations/{{externalAccountId}}/{{externalEventId}}/lists/{{listId}}", "marketing.events.listAssociationsApi.disassociateByExternalAccountAndEventIds", {204: None}),
    ("DELETE", f"{ME}/associations/{{marketingEventId}}/lists/{{listId}}", "marketing.events.listAssociationsApi.disassociateByMarketingEventId", {204: None}),
    ("GET", f"{ME}/associations/{{externalAccountId}}/{{externalEventId}}/lists", "marketing.events.listAssociationsApi.getAllByExternalAccountAndEventIds", {200: "CollectionResponseWithTotalPublicListNoPaging"}),
    ("GET", f"{ME}/associations/{{marketingEventId}}/lists", "marketing.events.listAssociationsApi.getAllByMarketingEventId", {200: "CollectionResponseWithTotalPublicListNoPaging"}),
    ("GET", f"{ME}/participations/contacts/{{contactIdentifier}}/breakdown", "marketing.events.retrieveParticipantStateApi.getParticipationsBreakdownByContactId", {200: "CollectionResponseWithTotalParticipationBreakdownForwardPaging"}),
    ("GET", f"{ME}/participations/{{externalAccountId}}/{{externalEventId}}/breakdown", "marketing.events.retrieveParticipantStateApi.getParticipationsBreakdownByExternalEventId", {200: "CollectionResponseWithTotalParticipationBreakdownForwardPaging"}),
    ("GET", f"{ME}/participations/{{marketingEventId}}/breakdown", "marketing.events.retrieveParticipantStateApi.getParticipationsBreakdownByMarketingEventId", {200: "CollectionResponseWithTotalParticipationBreakdownForwardPaging"}),
    ("GET", f"{ME}/participations/{{externalAccountId}}/{{externalEventId}}", "marketing.events.retrieveParticipantStateApi.getParticipationsCountersByEventExternalId", {200: "AttendanceCounters"}),
    ("GET", f"{ME}/participations/{{marketingEventId}}", "marketing.events.retrieveParticipantStateApi.getParticipationsCountersByMarketingEventId", {200: "AttendanceCounters"}),
    ("GET", f"{ME}/{{appId}}/settings", "marketing.events.settingsApi.getAll", {200: "EventDetailSettings"}),
    ("POST", f"{ME}/{{appId}}/settings", "marketing.events.settingsApi.update", {200: "EventDetailSettings"}),
    ("POST", f"{ME}/events/{{externalEventId}}/{{subscriberState}}/email-upsert", "marketing.events.subscriberStateChangesApi.upsertByContactEmail", {}),
    ("POST", f"{ME}/events/{{externalEventId}}/{{subscriberState}}/upsert", "marketing.events.subscriberStateChangesApi.upsertByContactId", {}),
    ("POST", f"{CONTACTS}/search", "crm.contacts.searchApi.doSearch", {200: "CollectionResponseWithTotalSimplePublicObjectForwardPaging"}),
    ("GET", f"{CONTACTS}/{{contactId}}", "crm.contacts.basicApi.getById", {200: "SimplePublicObjectWithAssociations"}),
    ("POST", CONTACTS, "crm.contacts.basicApi.create", {201: "SimplePublicObject"}),
    ("PATCH", f"{CONTACTS}/{{contactId}}", "crm.contacts.basicApi.update", {200: "SimplePublicObject"}),
    ("POST", f"{CONTACTS}/batch/read", "crm.contacts.batchApi.read", {200: "BatchResponseSimplePublicObject", 207: "BatchResponseSimplePublicObjectWithErrors"}),
])

OPERATIONS: tuple[OperationKey, ...] = tuple(PYTHON_METHODS)

# The date-time fields of each model the Python SDK deserializes, in the order it reads them (the model's
# `openapi_types`). A key ending in "[]" is a list of items, "{}" a map of values; None marks a date-time leaf.
DateTimeTree = Mapping[str, Union["DateTimeTree", None]]
_BATCH_TIMES: DateTimeTree = {"completedAt": None, "requestedAt": None, "startedAt": None}
_EVENT_TIMES: DateTimeTree = {"endDateTime": None, "createdAt": None, "startDateTime": None, "updatedAt": None}
_CONTACT_TIMES: DateTimeTree = {"createdAt": None, "archivedAt": None, "propertiesWithHistory{}[]": {"timestamp": None}, "updatedAt": None}
DATE_TIME_FIELDS: dict[str, DateTimeTree] = {
    "BatchResponseSubscriberEmailResponse": _BATCH_TIMES,
    "BatchResponseSubscriberVidResponse": _BATCH_TIMES,
    "MarketingEventDefaultResponse": {"startDateTime": None, "endDateTime": None},
    "CollectionResponseMarketingEventPublicReadResponseV2ForwardPaging": {"results[]": _EVENT_TIMES},
    "MarketingEventPublicReadResponseV2": _EVENT_TIMES,
    "MarketingEventPublicReadResponse": _EVENT_TIMES,
    "MarketingEventPublicDefaultResponse": _EVENT_TIMES,
    "MarketingEventPublicDefaultResponseV2": _EVENT_TIMES,
    "BatchResponseMarketingEventPublicDefaultResponseV2": {**_BATCH_TIMES, "results[]": _EVENT_TIMES},
    "BatchResponseMarketingEventPublicDefaultResponseV2WithErrors": {**_BATCH_TIMES, "results[]": _EVENT_TIMES},
    "BatchResponseMarketingEventPublicDefaultResponse": {**_BATCH_TIMES, "results[]": _EVENT_TIMES},
    "CollectionResponseSearchPublicResponseWrapperNoPaging": {},
    "CollectionResponseWithTotalMarketingEventIdentifiersResponseNoPaging": {},
    "CollectionResponseWithTotalPublicListNoPaging": {"results[]": {"filtersUpdatedAt": None, "createdAt": None, "deletedAt": None, "updatedAt": None}},
    "CollectionResponseWithTotalParticipationBreakdownForwardPaging": {"results[]": {"createdAt": None}},
    "AttendanceCounters": {},
    "EventDetailSettings": {},
    "SimplePublicObject": _CONTACT_TIMES,
    "SimplePublicObjectWithAssociations": _CONTACT_TIMES,
    "CollectionResponseWithTotalSimplePublicObjectForwardPaging": {"results[]": _CONTACT_TIMES},
    "BatchResponseSimplePublicObject": {**_BATCH_TIMES, "results[]": _CONTACT_TIMES},
    "BatchResponseSimplePublicObjectWithErrors": {**_BATCH_TIMES, "results[]": _CONTACT_TIMES},
}

# Python (rest.py): any status outside 200-299 raises; these get their own ApiException subclass.
PYTHON_EXCEPTIONS = {401: "UnauthorizedException", 403: "ForbiddenException", 404: "NotFoundException"}
PYTHON_SERVER_ERROR_EXCEPTION = "ServiceException"  # 500-599
# Python retries nothing by status unless `Client.create(retry=urllib3.Retry(...))`. urllib3's default Retry(3)
# still re-sends a dropped connection at once, for these methods only. (With a Retry-After header it would also
# re-send a 413/429/503 on them; HubSpot sends none, nor does the mock, so the verdicts assume none.)
PYTHON_DROP_RETRIED_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE"})
PYTHON_DROP_RETRIES = 3

# Node (RetryDecorator.js), only with `numberOfApiCallRetries` = N > 0 (N is the number of attempts, at most 6):
# the wait before attempt k+1 is base x k. It reads `error.code`, so only an ApiException can be retried.
NODE_MAX_ATTEMPTS = 6
NODE_SERVER_ERROR_WAIT_MS = 200  # 500-599
NODE_TEN_SECONDLY_WAIT_MS = 10_000  # 429 whose body has policyName "TEN_SECONDLY_ROLLING"
NODE_SECONDLY_WAIT_MS = 1_000  # other 429 whose body message is exactly the secondly one
NODE_TEN_SECONDLY_POLICY = "TEN_SECONDLY_ROLLING"
NODE_SECONDLY_MESSAGE = "You have reached your secondly limit."


# ---------------------------------------------------------------------------------------------- paths
_V3_PREFIXES = (("/marketing/marketing-events/", ME), ("/crm/objects/", "/crm/v3/objects"))
_DATED = re.compile(r"^(?P<prefix>/marketing/marketing-events|/crm/objects)/(?P<version>\d{4}-\d{2}[^/]*|\{[^/}]+\}|v3)(?P<rest>/.*)?$")


def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")


# Literal segments win over parameters (`/events/search` before `/{objectId}`), as in HubSpot's router.
_MATCHERS = sorted(((key, _template_pattern(key[1])) for key in OPERATIONS), key=lambda kp: kp[0][1].count("{"))


def split_version(path: str) -> tuple[str, str | None]:
    """A path (concrete or template) as its v3 form, and the dated API version it used (None for v3)."""
    if path != "/" and path.endswith("/"):
        path = path[:-1]  # both SDKs list events with GET /marketing/v3/marketing-events/
    dated = _DATED.match(path)
    if not dated:
        return path, None
    v3_prefix = ME if dated["prefix"] == "/marketing/marketing-events" else "/crm/v3/objects"
    version = None if dated["version"] == "v3" else dated["version"]  # v3's own spec writes /marketing/marketing-events/v3
    return v3_prefix + (dated["rest"] or ""), version


def v3_template(method: str, path: str) -> str | None:
    """The v3 template of an operation in the tables, from a concrete path, a template, or a dated-version path
    (/marketing/marketing-events/2026-03/events/upsert -> /marketing/v3/marketing-events/events/upsert)."""
    v3_path, _ = split_version(path.split("?", 1)[0])
    method = method.upper()
    for key, pattern in _MATCHERS:
        if key[0] == method and pattern.match(v3_path):
            return key[1]
    return None


# ---------------------------------------------------------------------------------------------- verdicts
def verdicts(method: str, path_template: str, status: int | None, content_type: str | None, body: bytes) -> list[Verdict]:
    """What each official SDK hands its caller for this answer (status None: the connection was dropped).
    [] when no SDK method calls this operation. A dated-version path is judged as its v3 twin, and says so:
    the SDKs call v3 paths only."""
    method = method.upper()
    template = v3_template(method, path_template)
    if template is None:
        return []
    _, version = split_version(path_template.split("?", 1)[0])
    key = (method, template)
    answer = _Answer(status, content_type, body)
    found = [_python(PYTHON_METHODS[key], method, answer), _node(NODE_METHODS[key], answer)]
    if version is None:
        return found
    return [
        Verdict(v.sdk, v.sdk_version, v.outcome, v.text.replace(": ", f" (calls v3 only, not {version}; the same answer on v3): ", 1))
        for v in found
    ]


class _Answer:
    """The answer, with its body parsed once and only if a verdict needs it."""

    _UNPARSED = object()

    def __init__(self, status: int | None, content_type: str | None, body: bytes) -> None:
        self.status = status
        self.content_type = content_type
        self.body = body
        self._json: object = self._UNPARSED

    def media_type(self) -> str | None:
        """As Node's ObjectSerializer.normalizeMediaType reads the header: no parameters, lower case."""
        if self.content_type is None:
            return None
        return self.content_type.split(";")[0].strip().lower()

    def json(self) -> object:
        """The body as Node reads it (UTF-8, bad bytes replaced) and JSON.parse takes it (no NaN), or
        _Answer._UNPARSED when it is not JSON."""
        if self._json is self._UNPARSED:
            try:
                self._json = json.loads(self.body.decode("utf-8", "replace"), parse_constant=_refuse)
            except ValueError:
                pass
        return self._json


def _refuse(constant: str) -> object:
    raise ValueError(constant)


def _label(sdk: str, version: str) -> str:
    return f"{sdk} SDK {version.split('.')[0]}"


# ---------------------------------------------------------------------------------------------- Python
def _python(sdk_method: SdkMethod, method: str, answer: _Answer) -> Verdict:
    outcome, text = _python_outcome(sdk_method, method, answer)
    return Verdict("python", PYTHON_SDK_VERSION, outcome, f"{_label('Python', PYTHON_SDK_VERSION)}: {text}")


def _python_outcome(sdk_method: SdkMethod, method: str, answer: _Answer) -> tuple[str, str]:
    status = answer.status
    if status is None:
        if method in PYTHON_DROP_RETRIED_METHODS:
            return "retries", f"retries a dropped {method} {PYTHON_DROP_RETRIES} times at once (urllib3's default), then raises MaxRetryError"
        return "raises", f"raises ProtocolError (connection dropped; urllib3 does not retry a {method})"
    if not 200 <= status <= 299:
        if status in PYTHON_EXCEPTIONS:
            exception = PYTHON_EXCEPTIONS[status]
        elif 500 <= status <= 599:
            exception = PYTHON_SERVER_ERROR_EXCEPTION
        else:
            exception = "ApiException"
        retry = "; no retry unless Client.create(retry=...)" if status == 429 or status >= 500 else ""
        return "raises", f"raises {exception} (status {status}){retry}"
    # api_client.py decodes every 2xx body (charset from the Content-Type) before it looks at the status map.
    charset = re.search(r"charset=([a-zA-Z\-\d]+)[\s\;]?", answer.content_type or "")
    encoding = charset.group(1) if charset else "utf-8"
    try:
        text = answer.body.decode(encoding)
    except LookupError:
        return "raises", f"raises LookupError: unknown charset {encoding!r}"
    except UnicodeDecodeError:
        return "raises", f"raises UnicodeDecodeError: the body is not valid {encoding}"
    model = sdk_method.models.get(status)
    if model is None:
        lost = "; the body is lost" if text.strip() else ""
        if not sdk_method.models:
            return "returns None", f"returns None (this method maps no status to a model){lost}"
        mapped = " and ".join(str(s) for s in sorted(sdk_method.models))
        return "returns None", f"returns None: {status} is not mapped (only {mapped} is){lost}"
    try:
        data = json.loads(text)
    except ValueError:
        return "returns", f"returns an empty {model}: the body is not JSON"
    if data is None:
        return "returns None", "returns None: the body is null"
    if not isinstance(data, dict):
        return "returns", f"returns an empty {model}: the body is not a JSON object"
    failure = _date_time_failure(data, _COMPILED_DATE_TIME_FIELDS.get(model, ()), "")
    if failure:
        return "raises", failure
    return "returns", f"returns {model}"


_Compiled = tuple[tuple[str, tuple[str, ...], "_Compiled | None"], ...]  # (field, containers, subtree) per key


def _compile(tree: DateTimeTree) -> _Compiled:
    return tuple(
        (re.split(r"[\[{]", key, maxsplit=1)[0], tuple(re.findall(r"\[\]|\{\}", key)), None if sub is None else _compile(sub))
        for key, sub in tree.items()
    )


_COMPILED_DATE_TIME_FIELDS = {model: _compile(tree) for model, tree in DATE_TIME_FIELDS.items()}


def _date_time_failure(data: Mapping[str, object], fields: _Compiled, where: str) -> str | None:
    """The first date-time field that crashes the Python SDK's deserializer, read in the SDK's own order."""
    for name, containers, subtree in fields:
        if name not in data:
            continue
        for path, value in _unwrap(data[name], containers, f"{where}{name}"):
            if subtree is None:
                failure = _python_date_time(value, path)
            elif isinstance(value, dict):
                failure = _date_time_failure(value, subtree, f"{path}.")
            else:
                failure = None
            if failure:
                return failure
    return None


def _unwrap(value: object, containers: tuple[str, ...], path: str) -> list[tuple[str, object]]:
    """The values inside lists ([]) and maps ({}), with the path a person reads, e.g. results[0]."""
    if value is None:
        return []  # null is deserialized as None at any depth
    if not containers:
        return [(path, value)]
    if containers[0] == "[]" and isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _unwrap(item, containers[1:], f"{path}[{i}]")]
    if containers[0] == "{}" and isinstance(value, dict):
        return [leaf for k, item in value.items() for leaf in _unwrap(item, containers[1:], f"{path}.{k}")]
    return []


_ISO_DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"  # the day is not checked against its month
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)
_C_INT_MAX = 2**31 - 1


def _python_date_time(value: object, path: str) -> str | None:
    """What `dateutil.parser.parse(value)` does to a date-time field (None: it parses).

    Exact for what servers send: ISO-8601 strings parse; a JSON number (epoch ms or s) is a TypeError; a numeric
    string is read as one huge date component, an OverflowError above 2**31-1 (epoch ms) and a ParserError
    below it (epoch seconds), which the SDK reraises as ApiException(status=0); any other non-ISO string is
    taken as unparseable (dateutil does read a few other formats, e.g. RFC 1123, which no HubSpot answer uses).
    """
    if isinstance(value, str):
        if _ISO_DATE_TIME.match(value):
            return None
        digits = value.strip()
        if re.fullmatch(r"\d{9,11}|\d{13}|\d{15,}", digits):  # 12 and 14 digits are compact YYMMDDhhmmss forms
            if int(digits) > _C_INT_MAX:
                return f"raises OverflowError: {path} is a numeric string ({value!r}), not an ISO-8601 date-time"
        return f"raises ApiException (status 0): {path} {value!r} is not an ISO-8601 date-time"
    kind = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}[type(value)]
    shown = json.dumps(value)
    return f"raises TypeError: {path} is {kind} ({shown[:40]}), not an ISO-8601 string"


# ---------------------------------------------------------------------------------------------- Node
def _node(sdk_method: SdkMethod, answer: _Answer) -> Verdict:
    outcome, text = _node_outcome(sdk_method, answer)
    return Verdict("node", NODE_SDK_VERSION, outcome, f"{_label('Node', NODE_SDK_VERSION)}: {text}")


def _node_outcome(sdk_method: SdkMethod, answer: _Answer) -> tuple[str, str]:
    status = answer.status
    if status is None:
        return "raises", "throws FetchError (connection dropped; never retried)"
    mapped = status in sdk_method.models
    if mapped and sdk_method.models[status] is None:
        return "returns", f"returns nothing ({status}; the body is not read)"
    # Every other branch parses the body by its Content-Type first; a parse failure is thrown as it is.
    parse_error = _node_parse_error(answer)
    if parse_error:
        never = "; it carries no status, so it is never retried" if status >= 500 or status == 429 else ""
        return "raises", f"throws {parse_error}{never}"
    media_type = answer.media_type() or ""
    if mapped:
        model = sdk_method.models[status]
        if media_type.startswith("text/"):
            return "returns", f"returns an empty {model}: a {media_type} body is not parsed as JSON"
        data = answer.json()
        if data is None:
            return "returns", "returns null: the body is null"
        if not isinstance(data, dict):
            return "returns", f"returns an empty {model}: the body is not a JSON object"
        return "returns", f"returns {model}"
    if 200 <= status <= 299:
        codes = " and ".join(str(s) for s in sorted(sdk_method.models))
        why = f"only {codes} is mapped" if codes else "this method maps no status to success"
        return "raises", f"throws ApiException (code {status}): {why}"
    return "raises", f"throws ApiException (code {status}){_node_retry_note(status, answer)}"


def _node_parse_error(answer: _Answer) -> str | None:
    """ObjectSerializer.parse: no Content-Type, an unsupported one, or JSON that does not parse."""
    media_type = answer.media_type()
    if media_type is None:
        return "Error: Cannot parse content. No Content-Type defined."
    main, _, subtype = media_type.partition("/")
    if main == "text":
        return None
    if main == "application" and "json" in subtype.split("+"):
        return "SyntaxError: the JSON body does not parse" if answer.json() is _Answer._UNPARSED else None
    return f"Error: The mediaType {media_type} is not supported by ObjectSerializer.parse."


def node_retry_wait_ms(status: int, content_type: str | None, body: bytes) -> int | None:
    """The Node SDK's wait per attempt before it re-sends (wait = this x attempt), when numberOfApiCallRetries
    allows another attempt; None: not retried. Only a thrown ApiException is retried."""
    answer = _Answer(status, content_type, body)
    if _node_parse_error(answer):
        return None
    if 500 <= status <= 599:
        return NODE_SERVER_ERROR_WAIT_MS
    if status != 429:
        return None
    data = answer.json() if (answer.media_type() or "").startswith("application/") else None
    if isinstance(data, dict):
        if data.get("policyName") == NODE_TEN_SECONDLY_POLICY:
            return NODE_TEN_SECONDLY_WAIT_MS
        if data.get("message") == NODE_SECONDLY_MESSAGE:
            return NODE_SECONDLY_WAIT_MS
    return None


def _node_retry_note(status: int, answer: _Answer) -> str:
    wait = node_retry_wait_ms(status, answer.content_type, answer.body)
    if wait is not None:
        return f"; with numberOfApiCallRetries > 1 it retries after {wait} ms x attempt"
    if status == 429:
        return "; never retried (neither TEN_SECONDLY_ROLLING nor the secondly limit)"
    return ""
