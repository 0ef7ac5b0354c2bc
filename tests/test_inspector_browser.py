"""The inspector page in a real browser: Debian's chromium, driven by Playwright, against a live mock that the
official Python SDK talks to.

Playwright comes from PyPI; its own browser download is never used (`executable_path` is the system's
chromium). Without playwright or /usr/bin/chromium these tests skip and say why. The screenshots land in
test-artifacts/ (INSPECTOR_ARTIFACTS_DIR overrides the directory) for CI to keep: inspector.png (the README's),
and inspector-<view>-<width>.png from the layout test.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

import hubspot
import pytest
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventSubscriber,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
    MarketingEventSubscriber,
    PropertyValue,
)
from hubspot.marketing.events.exceptions import ApiException, NotFoundException, ServiceException
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

from ci import unavailable

CHROMIUM = Path(os.environ.get("INSPECTOR_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("INSPECTOR_ARTIFACTS_DIR", Path(__file__).resolve().parents[1] / "test-artifacts"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
WHEN = 1_764_601_200_000  # 2025-12-01T15:00:00Z
WIDTHS = (1280, 1920)  # a laptop and a desktop monitor

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    unavailable("playwright is not installed: pip install -e '.[test]' (or pip install playwright)")
if not CHROMIUM.exists():
    unavailable(f"{CHROMIUM} not found: apt-get install chromium (Debian's browser; playwright install is not used)")


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            unavailable(f"{CHROMIUM} would not start under Playwright: {str(exc).splitlines()[0]}")
        yield browser
        browser.close()


@pytest.fixture
def mock() -> Iterator[tuple[str, object]]:
    app = create_app(Settings())
    with serve_in_thread(app) as url:
        yield url, app


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., Page]]:
    """open_page(width=1440) -> a fresh page; after the test, none of them may have thrown."""
    contexts, errors = [], []

    def open_page(width: int = 1440) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"the page threw: {errors}"


@pytest.fixture
def page(open_page) -> Page:
    return open_page()


def open_inspector(page: Page, url: str, view: str = "journal") -> None:
    page.goto(f"{url}/__mock/ui#{view}")
    page.wait_for_selector("body[data-ready]")


def sdk(url: str):
    # No retries: a fault armed from the page must reach the test as the SDK's exception.
    return hubspot.Client.create(access_token=TOKEN, host=url, retry=Retry(total=0)).marketing.events


def days_from_now(days: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def send_traffic(url: str, app) -> str:
    """What an integration sends on a typical day: two events ahead, four registrations by email, two attendances
    and a cancellation by vid, a read-back that meets a 503, and two mistakes. Returns the webinar's objectId."""
    events = sdk(url)

    def event(event_id: str, name: str, start: str, end: str) -> MarketingEventCreateRequestParams:
        return MarketingEventCreateRequestParams(
            external_account_id="acct-1", external_event_id=event_id, event_name=name, event_organizer="Acme",
            event_type="WEBINAR", start_date_time=start, end_date_time=end, custom_properties=[PropertyValue(name="platform", value="zoom")],
        )

    created = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[
        event("webinar-1", "Launch webinar", days_from_now(30), days_from_now(30.05)),
        event("summit-2026", "Customer summit", days_from_now(37), days_from_now(37.3)),
    ]))
    object_id = created.results[0].object_id
    people = [("ada@example.com", "Ada"), ("grace@example.com", "Grace"), ("alan@example.com", "Alan"), ("katherine@example.com", "Katherine")]
    registered = events.add_event_attendees_api.record_by_email(object_id, "register", BatchInputMarketingEventEmailSubscriber(inputs=[
        MarketingEventEmailSubscriber(email=email, interaction_date_time=WHEN, properties={}, contact_properties={"firstname": first})
        for email, first in people
    ]))
    vids = {r.email: r.vid for r in registered.results}
    events.add_event_attendees_api.record_by_contact_ids("webinar-1", "attend", BatchInputMarketingEventSubscriber(inputs=[
        MarketingEventSubscriber(vid=vids[email], interaction_date_time=WHEN + 3_600_000, properties={"joinedAt": "2026-12-01T15:00:00Z", "leftAt": left})
        for email, left in (("ada@example.com", "2026-12-01T15:55:00Z"), ("grace@example.com", "2026-12-01T15:40:00Z"))
    ]), external_account_id="acct-1")
    events.subscriber_state_changes_api.upsert_by_contact_id("webinar-1", "cancel", "acct-1", BatchInputMarketingEventSubscriber(inputs=[
        MarketingEventSubscriber(vid=vids["alan@example.com"], interaction_date_time=WHEN + 60_000, properties={})
    ]))
    app.state.mock.faults.add({"action": "respond", "status": 503, "times": 1})
    with pytest.raises(ServiceException):
        events.retrieve_participant_state_api.get_participations_counters_by_marketing_event_id(int(object_id))
    events.retrieve_participant_state_api.get_participations_counters_by_marketing_event_id(int(object_id))
    with pytest.raises(NotFoundException):
        events.basic_api.get_by_object_id("999999")
    with pytest.raises(ApiException):
        events.add_event_attendees_api.record_by_email(object_id, "REGISTERED", BatchInputMarketingEventEmailSubscriber(inputs=[]))
    return object_id


def journal_total(app) -> int:
    return len(app.state.mock.journal)


# ---------------------------------------------------------------------------------------------- tests
def test_the_journal_shows_what_the_sdk_sent_and_what_each_call_changed(mock, page):
    url, app = mock
    send_traffic(url, app)
    open_inspector(page, url)
    rows = page.locator("#journal-rows tr")
    expect(rows).to_have_count(journal_total(app))
    expect(rows.first).to_contain_text("recordByEmail")  # newest first: the 400
    expect(rows.first).to_contain_text("400")
    expect(page.locator("#journal-total")).to_have_text(f"{journal_total(app)} calls in the journal")

    page.locator("#journal-rows tr", has_text="recordByEmail").filter(has_text="200").click()
    detail = page.locator("#journal-detail")
    expect(detail.locator("h2")).to_contain_text("/attendance/register/email-create")
    expect(detail.locator("ul.changes li")).to_have_count(8)  # 4 contacts created, 4 registered
    expect(detail.locator("ul.changes")).to_contain_text("REGISTERED")
    expect(detail.locator("ul.changes")).to_contain_text("ada@example.com")
    expect(detail.locator("table.headers")).to_contain_text("[redacted]")
    expect(detail.locator("pre.request")).to_contain_text('"email": "katherine@example.com"')
    entry = next(e for e in app.state.mock.journal.entries(operation="recordByEmail") if e.status == 200)
    expect(detail).to_contain_text(entry.correlation_id)
    expect(detail.locator("dd.sdk .verdict")).to_have_count(2)  # how each official SDK takes this answer
    expect(detail.locator("dd.sdk")).to_contain_text("Python SDK 12: returns BatchResponseSubscriberEmailResponse")
    assert TOKEN not in page.content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inspector.png"))

    page.locator("#journal-rows tr", has_text="getByObjectId").focus()  # rows open from the keyboard too
    page.keyboard.press("Enter")
    expect(detail.locator(".outcome")).to_contain_text("OBJECT_NOT_FOUND")
    expect(detail).to_contain_text("None: this call changed nothing.")

    # Live: a call made while the page is open appears on top, without a reload.
    before = rows.count()
    sdk(url).basic_api.get_by_object_id(entry.path.split("/")[4])
    expect(rows).to_have_count(before + 1)
    expect(rows.first).to_contain_text("getByObjectId")
    expect(rows.first).to_contain_text("200")


def test_events_view_shows_attendees_with_each_contacts_state_history(mock, page):
    url, app = mock
    object_id = send_traffic(url, app)
    open_inspector(page, url, "events")
    expect(page.locator("#events-rows tr")).to_have_count(2)
    webinar = page.locator(f"#events-rows tr[data-object-id='{object_id}']")
    expect(webinar).to_contain_text("Launch webinar")
    expect(webinar.locator(".total-attendees")).to_have_text("4")
    expect(webinar.locator(".counters .state")).to_have_text(["1", "2", "1", "0"])  # registered, attended, cancelled, no-show
    webinar.focus()
    page.keyboard.press(" ")

    attendees = page.locator("#attendee-rows tr")
    expect(attendees).to_have_count(4)
    ada = attendees.filter(has_text="ada@example.com")
    expect(ada.locator("td.history .state")).to_have_text(["REGISTERED", "ATTENDED"])
    expect(ada.locator("td.history")).to_contain_text("15:00–15:55")  # joinedAt–leftAt
    expect(ada.locator("td.now")).to_have_text("ATTENDED")
    alan = attendees.filter(has_text="alan@example.com")
    expect(alan.locator("td.history .state")).to_have_text(["REGISTERED", "CANCELLED"])
    expect(attendees.filter(has_text="katherine@example.com").locator("td.history .state")).to_have_text(["REGISTERED"])

    page.select_option("#attendee-filters select[name=state]", "ATTENDED")
    expect(attendees).to_have_count(2)
    expect(page.locator("#attendee-total")).to_have_text("2 of 4 attendees")

    page.click("#tabs a[data-view=contacts]")
    contacts = page.locator("#contacts-rows tr")
    expect(contacts).to_have_count(4)
    expect(contacts.filter(has_text="ada@example.com")).to_contain_text("Launch webinar ATTENDED")
    expect(contacts.filter(has_text="alan@example.com")).to_contain_text("firstname: Alan")
    page.fill("#contacts-filters input[name=text]", "grace")
    expect(contacts).to_have_count(1)


def test_a_fault_armed_from_the_page_fails_the_next_sdk_call_until_cleared(mock, page):
    url, app = mock
    object_id = send_traffic(url, app)
    events = sdk(url)
    open_inspector(page, url, "faults")
    rules = page.locator("#fault-rows tr")
    expect(rules).to_have_count(1)  # the traffic's 503, spent
    expect(rules.first).to_have_class("spent")
    page.click("button[data-preset='503']")
    expect(rules).to_have_count(2)
    expect(page.locator("#armed-count")).to_have_text("1")
    with pytest.raises(ApiException) as failed:
        events.basic_api.get_by_object_id(object_id)
    assert failed.value.status == 503
    assert events.basic_api.get_by_object_id(object_id).object_id == object_id  # a one-shot: the next call is fine
    expect(rules.last.locator("td.num").last).to_have_text("1")  # fired once, shown live
    expect(rules.last).to_have_class("spent")
    expect(page.locator("#armed-count")).to_have_text("")

    # The daily limit, narrowed to one endpoint, stays until cleared.
    page.select_option("#preset-scope select[name=operation]", "upsertEvents")
    page.click("button[data-preset='429-daily']")
    expect(rules).to_have_count(3)
    expect(rules.last).to_contain_text("operation=upsertEvents")
    upsert = BatchInputMarketingEventCreateRequestParams(inputs=[MarketingEventCreateRequestParams(
        external_account_id="acct-1", external_event_id="webinar-2", event_name="Second", event_organizer="Acme", custom_properties=[])])
    for _ in range(2):
        with pytest.raises(ApiException) as limited:
            events.batch_api.upsert(upsert)
        assert limited.value.status == 429 and json.loads(limited.value.body)["policyName"] == "DAILY"
    assert events.basic_api.get_by_object_id(object_id).object_id == object_id  # other endpoints unaffected

    page.click("#tabs a[data-view=journal]")
    page.select_option("#journal-filters select[name=faulted]", "true")
    expect(page.locator("#journal-rows tr")).to_have_count(4)  # the traffic's own 503, and three here
    expect(page.locator("#journal-rows tr").nth(2)).to_contain_text("respond 503")

    page.click("#tabs a[data-view=faults]")
    page.click("#clear-faults")
    expect(rules).to_have_count(0)
    expect(page.locator("#faults-empty")).to_be_visible()
    assert events.batch_api.upsert(upsert).results[0].event_name == "Second"


def test_reset_empties_the_state_and_snapshot_downloads_it(mock, page):
    url, app = mock
    send_traffic(url, app)
    open_inspector(page, url, "events")
    expect(page.locator("#events-rows tr")).to_have_count(2)

    with page.expect_download() as download:
        page.click("#snapshot")
    image = json.loads(Path(download.value.path()).read_text())
    assert image["format"].startswith("hubspot-mock-state/") and len(image["portals"][0]["events"]) == 2
    expect(page.locator("#notice")).to_contain_text("Snapshot downloaded: 2 events, 4 contacts")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reset")
    expect(page.locator("#events-rows tr")).to_have_count(0)
    expect(page.locator("#events-empty")).to_be_visible()
    assert dump_state(app.state.backend)["portals"]["1"] == {"propertyDefinitions": [], "contacts": [], "events": []}
    assert journal_total(app) == 0
    page.click("#tabs a[data-view=journal]")
    expect(page.locator("#journal-rows tr")).to_have_count(0)


def test_journal_and_contacts_are_paged(mock, page):
    url, app = mock
    events = sdk(url)
    created = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[MarketingEventCreateRequestParams(
        external_account_id="acct-1", external_event_id="big", event_name="Big webinar", event_organizer="Acme", custom_properties=[])]))
    object_id = created.results[0].object_id
    events.add_event_attendees_api.record_by_email(object_id, "register", BatchInputMarketingEventEmailSubscriber(inputs=[
        MarketingEventEmailSubscriber(email=f"person{i:03}@example.com", interaction_date_time=WHEN, properties={}, contact_properties={})
        for i in range(120)
    ]))
    for _ in range(118):
        events.basic_api.get_by_object_id(object_id)
    assert journal_total(app) == 120

    open_inspector(page, url)
    rows = page.locator("#journal-rows tr")
    older, newer = page.locator("#journal-pager .older"), page.locator("#journal-pager .newer")
    expect(rows).to_have_count(50)
    expect(rows.first.locator("td").first).to_have_text("120")
    older.click()
    expect(rows.first.locator("td").first).to_have_text("70")
    expect(rows).to_have_count(50)
    older.click()
    expect(rows).to_have_count(20)
    expect(rows.last.locator("td").first).to_have_text("1")
    expect(older).to_be_disabled()
    newer.click()
    expect(rows.first.locator("td").first).to_have_text("70")
    newer.click()
    expect(rows.first.locator("td").first).to_have_text("120")
    expect(newer).to_be_disabled()

    page.select_option("#journal-filters select[name=operation]", "upsertEvents")
    expect(rows).to_have_count(1)

    page.click("#tabs a[data-view=contacts]")
    contacts = page.locator("#contacts-rows tr")
    expect(page.locator("#contacts-total")).to_have_text("120 contacts")
    expect(contacts).to_have_count(50)
    expect(contacts.first).to_contain_text("person119@example.com")  # newest first
    page.click("#contacts-pager .older")
    expect(page.locator("#contacts-pager span")).to_have_text("51–100 of 120")
    page.click("#contacts-pager .older")
    expect(contacts).to_have_count(20)
    expect(page.locator("#contacts-pager span")).to_have_text("101–120 of 120")
    expect(contacts.last).to_contain_text("person000@example.com")


def test_with_an_admin_token_the_page_asks_for_it_and_keeps_it_out_of_the_page(page):
    app = create_app(Settings(admin_token="admin-s3cret"))
    with serve_in_thread(app) as url:
        page.goto(f"{url}/__mock/ui")
        dialog = page.locator("#token-dialog")
        expect(dialog).to_be_visible()
        page.fill("#token-dialog input[name=token]", "admin-s3cret")
        page.click("#token-dialog button[value=save]")
        expect(dialog).to_be_hidden()
        expect(page.locator("#journal-total")).to_have_text("0 calls in the journal")
        with pytest.raises(NotFoundException):
            sdk(url).basic_api.get_by_object_id("1")
        expect(page.locator("#journal-rows tr")).to_have_count(1)  # live polling carries the token too
        assert page.evaluate("sessionStorage.getItem('hubspot-mock-admin-token')") == "admin-s3cret"
        assert "admin-s3cret" not in page.content()


# ---------------------------------------------------------------------------------------------- layout
LONG_NAME = "Quarterly product launch webinar for customers in Europe, the Middle East and Africa"
ENDED_NAME = "Customer onboarding webinar, autumn cohort"
ORGANIZER = "Acme Corporation Customer Education Team"
ADA = "ada.lovelace.first.programmer@analytical-engine-society.example.com"
PEOPLE = [
    ADA,
    "grace.brewster.murray.hopper@navy-computing-history.example.org",
    "alan@example.com",
    "katherine.johnson@langleyresearchcenterflightresearchdivision.example.gov",
]


@dataclass
class Realistic:
    upcoming: str  # objectIds
    ended: str
    biggest_call: int  # the journal entry of the biggest registration


def send_realistic_traffic(url: str, app) -> Realistic:
    """Data that stretches a layout: long names, organizers, external ids and emails, WEBINAR events, one contact
    with seven state changes (join and leave times on each attendance), an event that has ended with its
    registrants, and a journal with long operation names, a 503, a daily 429, a dropped connection and a 400."""
    events = sdk(url)

    def event(event_id: str, name: str, start: str, end: str, event_type: str = "WEBINAR") -> MarketingEventCreateRequestParams:
        return MarketingEventCreateRequestParams(
            external_account_id="acct-emea-customer-marketing", external_event_id=event_id, event_name=name, event_organizer=ORGANIZER,
            event_type=event_type, start_date_time=start, end_date_time=end,
            custom_properties=[PropertyValue(name="platform", value="zoom")],
        )

    created = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[
        event("emea-q4-product-launch-webinar-for-customers", LONG_NAME, days_from_now(30), days_from_now(30.05)),
        event("onboarding-autumn-cohort", ENDED_NAME, days_from_now(-30), days_from_now(-29.95)),
        event("partner-summit", "Partner summit", days_from_now(60), days_from_now(61), event_type="CONFERENCE"),
    ]))
    upcoming, ended = created.results[0].object_id, created.results[1].object_id
    for object_id in (upcoming, ended):
        events.add_event_attendees_api.record_by_email(object_id, "register", BatchInputMarketingEventEmailSubscriber(inputs=[
            MarketingEventEmailSubscriber(email=email, interaction_date_time=WHEN, properties={}, contact_properties={"firstname": email.split(".")[0], "company": "Analytical Engines Ltd"})
            for email in PEOPLE
        ]))
    ended_ada = MarketingEventEmailSubscriber(email=ADA, interaction_date_time=WHEN + 3_600_000, properties={"joinedAt": days_from_now(-30), "leftAt": days_from_now(-29.97)})
    events.add_event_attendees_api.record_by_email(ended, "attend", BatchInputMarketingEventEmailSubscriber(inputs=[ended_ada]))
    for i in range(3):  # ada joins, drops out, cancels, comes back...
        at = WHEN + (i + 1) * 600_000
        attend = MarketingEventEmailSubscriber(email=ADA, interaction_date_time=at, properties={"joinedAt": f"2025-12-01T15:{i}0:00Z", "leftAt": f"2025-12-01T15:{i}5:30Z"})
        events.add_event_attendees_api.record_by_email(upcoming, "attend", BatchInputMarketingEventEmailSubscriber(inputs=[attend]))
        if i < 2:
            cancel = MarketingEventEmailSubscriber(email=ADA, interaction_date_time=at + 60_000, properties={})
            events.add_event_attendees_api.record_by_email(upcoming, "cancel", BatchInputMarketingEventEmailSubscriber(inputs=[cancel]))
    participant_state = events.retrieve_participant_state_api
    participant_state.get_participations_breakdown_by_external_event_id("acct-emea-customer-marketing", "emea-q4-product-launch-webinar-for-customers", limit=100)
    app.state.mock.faults.add({"action": "respond", "status": 503, "times": 1})
    with pytest.raises(ServiceException):
        participant_state.get_participations_counters_by_event_external_id("acct-emea-customer-marketing", "onboarding-autumn-cohort")
    app.state.mock.faults.add({"action": "respond", "status": 429, "rate_limit": "daily", "times": 1})
    with pytest.raises(ApiException):
        participant_state.get_participations_breakdown_by_marketing_event_id(int(ended))
    app.state.mock.faults.add({"action": "drop", "when": "before", "times": 1})
    with pytest.raises(MaxRetryError):
        events.basic_api.get_by_object_id(upcoming)
    with pytest.raises(ApiException):
        events.add_event_attendees_api.record_by_email(upcoming, "ATTENDED", BatchInputMarketingEventEmailSubscriber(inputs=[]))
    biggest = max(app.state.mock.journal.entries(operation="recordByEmail"), key=lambda e: len(e.body))
    return Realistic(upcoming, ended, biggest.id)


# Every problem the layout can have, measured in the page: a cell, header, panel or the page wider than its box
# (clipped or scrolling sideways), a header or cell outside its panel or under the other one, a word broken
# across lines inside a badge, a tag, a header or an event cell. Words are split at spaces, hyphens and slashes,
# where a line may break.
LAYOUT_PROBLEMS = """() => {
  const view = document.querySelector(".view:not([hidden])");
  const problems = [];
  const shown = (el) => el.getClientRects().length > 0;
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")} "${el.textContent.trim().slice(0, 30)}"`;
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) problems.push(`the page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
  for (const el of view.querySelectorAll("td, th, .list, .detail, dd, pre, h2, .legend, .filters, .counts")) {
    if (shown(el) && el.scrollWidth > el.clientWidth + 1) problems.push(`overflows: ${name(el)} ${el.scrollWidth} > ${el.clientWidth}`);
  }
  const panels = [...view.querySelectorAll(".detail")];
  for (const el of view.querySelectorAll("table, th, td, h2, h3")) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    const outer = el.closest(".detail, .list, .view").getBoundingClientRect();
    if (box.left < outer.left - 1 || box.right > outer.right + 1) problems.push(`outside its panel: ${name(el)} ${box.left}-${box.right} in ${outer.left}-${outer.right}`);
    for (const panel of panels) {
      if (panel.contains(el)) continue;
      const other = panel.getBoundingClientRect();
      if (box.right > other.left + 1 && box.left < other.right - 1 && box.bottom > other.top + 1 && box.top < other.bottom - 1) problems.push(`under ${name(panel)}: ${name(el)}`);
    }
  }
  for (const el of view.querySelectorAll(".tag, .state, .status, .kind, th, td.event")) {
    if (!shown(el)) continue;
    const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node; (node = texts.nextNode()); ) {
      for (const word of node.data.matchAll(/[^\\s\\-\\u2013\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) problems.push(`"${word[0]}" broken across ${lines.size} lines in ${name(el)}`);
      }
    }
  }
  return problems;
}"""


def layout_problems(page: Page, view: str, width: int) -> list[str]:
    page.wait_for_selector(".view:not([hidden]) [aria-busy]", state="detached")  # nothing in the view still loading
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inspector-{view}-{width}.png"))
    return page.evaluate(LAYOUT_PROBLEMS)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_cell_or_panel_overflows_or_clips_with_long_realistic_data(mock, open_page, width):
    url, app = mock
    data = send_realistic_traffic(url, app)
    page = open_page(width)

    open_inspector(page, url, f"journal/{data.biggest_call}")
    expect(page.locator("#journal-detail pre.request")).to_contain_text(ADA)
    expect(page.locator("#journal-rows tr", has_text="getParticipationsBreakdownByExternalEventId").first).to_be_visible()
    expect(page.locator("#journal-rows tr", has_text="dropped")).to_have_count(1)
    assert layout_problems(page, "journal", width) == []

    page.goto(f"{url}/__mock/ui#events/{data.upcoming}")
    ada = page.locator("#attendee-rows tr", has_text=ADA)
    expect(ada.locator("td.history li")).to_have_count(6)  # registered, then attend / cancel twice, attend
    expect(page.locator("#events-rows .event-type", has_text="WEBINAR")).to_have_count(2)
    assert layout_problems(page, "events", width) == []

    page.locator(f"#events-rows tr[data-object-id='{data.ended}']").click()
    expect(page.locator("#attendee-event")).to_contain_text(ENDED_NAME)
    assert layout_problems(page, "ended-event", width) == []

    page.click("#tabs a[data-view=contacts]")
    expect(page.locator("#contacts-rows tr")).to_have_count(len(PEOPLE))
    assert layout_problems(page, "contacts", width) == []


def test_an_ended_events_registrant_reads_no_show_in_the_page_as_in_the_api(mock, page):
    url, app = mock
    data = send_realistic_traffic(url, app)
    read_by_the_api = {
        r.associations.contact.email: r.properties.attendance_state
        for r in sdk(url).retrieve_participant_state_api.get_participations_breakdown_by_marketing_event_id(int(data.ended), limit=100).results
    }
    assert read_by_the_api == {**dict.fromkeys(PEOPLE, "NO_SHOW"), ADA: "ATTENDED"}

    open_inspector(page, url, "events")
    legend = page.locator("#events-legend")
    expect(legend.locator(".state")).to_have_text(["REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW"])
    expect(legend).to_contain_text("registered for an event that has ended")
    ended = page.locator(f"#events-rows tr[data-object-id='{data.ended}']")
    expect(ended.locator(".counters .state")).to_have_text(["0", "1", "0", "3"])  # the legend's order
    expect(ended.locator(".counters .state.no_show")).to_have_attribute("title", "NO_SHOW: 3")
    upcoming = page.locator(f"#events-rows tr[data-object-id='{data.upcoming}']")
    expect(upcoming.locator(".counters .state")).to_have_text(["3", "1", "0", "0"])

    ended.click()
    expect(page.locator("#attendee-counts")).to_contain_text("NO_SHOW 3")
    rows = page.locator("#attendee-rows tr")
    expect(rows).to_have_count(len(PEOPLE))
    for email, state in read_by_the_api.items():
        expect(rows.filter(has_text=email).locator("td.now .state")).to_have_text(state)
    alan = rows.filter(has_text="alan@example.com")
    expect(alan.locator("td.now .stored")).to_have_text("stored REGISTERED")  # the page says why
    expect(alan.locator("td.history .state")).to_have_text(["REGISTERED"])
    expect(rows.filter(has_text=ADA).locator("td.now .stored")).to_have_count(0)
    page.select_option("#attendee-filters select[name=state]", "NO_SHOW")
    expect(rows).to_have_count(3)
    expect(page.locator("#attendee-total")).to_have_text("3 of 4 attendees")

    page.click("#tabs a[data-view=contacts]")
    alan_contact = page.locator("#contacts-rows tr", has_text="alan@example.com")
    expect(alan_contact.locator("a.event-state", has_text=ENDED_NAME).locator(".state")).to_have_text("NO_SHOW")
    expect(alan_contact.locator("a.event-state", has_text=LONG_NAME).locator(".state")).to_have_text("REGISTERED")


# ---------------------------------------------------------------------------------------------- deep links
# Records what the detail panels show (their visible text) at every change, from the first parse on.
RECORD_PANELS = """
window.panelStates = {"journal-detail": [], "attendees": []};
new MutationObserver(() => {
  for (const [id, states] of Object.entries(window.panelStates)) {
    const panel = document.getElementById(id);
    if (!panel) continue;
    const text = panel.innerText.trim();
    if (states[states.length - 1] !== text) states.push(text);
  }
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
"""


def hold(page: Page, pattern: str) -> list:
    """Requests whose URL matches `pattern` wait until the test lets them through (route.continue_())."""
    held: list = []
    page.route(lambda url: re.search(pattern, url) is not None, lambda route: held.append(route))
    return held


def test_a_deep_link_shows_loading_until_its_data_is_there_and_never_empty_or_stale_content(mock, page):
    url, app = mock
    object_id = send_traffic(url, app)
    entry = next(e for e in app.state.mock.journal.entries(operation="recordByEmail") if e.status == 200)
    page.add_init_script(RECORD_PANELS)

    # A call's detail: the list renders, the panel says it is loading that call until its answer comes.
    calls = hold(page, r"/__mock/journal/\d+$")
    page.goto(f"{url}/__mock/ui#journal/{entry.id}")
    detail = page.locator("#journal-detail")
    expect(page.locator("#journal-rows tr")).to_have_count(journal_total(app))
    expect(page.locator(f"#journal-rows tr[data-id='{entry.id}']")).to_have_class(re.compile("selected"))
    expect(detail).to_have_attribute("aria-busy", "true")
    expect(detail).to_have_text(f"Loading call #{entry.id}…")
    assert len(calls) == 1
    calls.pop().continue_()
    expect(detail.locator("h2")).to_contain_text("/attendance/register/email-create")
    expect(detail).not_to_have_attribute("aria-busy", "true")
    *waiting, done = page.evaluate("window.panelStates['journal-detail']")
    assert waiting[-1] == f"Loading call #{entry.id}…" and set(waiting) <= {"Loading…", waiting[-1]}, waiting  # the page's own, then this call's
    assert entry.correlation_id in done

    # An event's attendees, opened by a link from elsewhere in the page (a change in that call's detail).
    attendees = hold(page, r"/__mock/events/\d+/attendees")
    detail.locator("ul.changes a").first.click()
    panel = page.locator("#attendees")
    expect(page.locator(f"#events-rows tr[data-object-id='{object_id}']")).to_have_class(re.compile("selected"))
    expect(panel).to_have_text(f"Loading event {object_id}…")
    expect(panel).to_have_attribute("aria-busy", "true")
    assert len(attendees) == 1
    attendees.pop().continue_()
    expect(page.locator("#attendee-rows tr")).to_have_count(4)
    expect(panel).not_to_have_attribute("aria-busy", "true")

    # Then to another event: the first one's attendees are gone at once, not shown under the second's name.
    summit = page.locator("#events-rows tr", has_text="Customer summit")
    summit_id = summit.get_attribute("data-object-id")
    summit.click()
    expect(panel).to_have_text(f"Loading event {summit_id}…")
    attendees.pop().continue_()
    expect(page.locator("#attendee-event")).to_contain_text("Customer summit")
    expect(page.locator("#attendee-empty")).to_be_visible()  # it has no attendees: now that is true

    first, launch_waits, launch, summit_waits, summit_shown = page.evaluate("window.panelStates['attendees']")
    assert (first, launch_waits, summit_waits) == ("Loading…", f"Loading event {object_id}…", f"Loading event {summit_id}…")
    assert "Launch webinar" in launch and "ada@example.com" in launch
    assert "Customer summit" in summit_shown and "No attendee matches." in summit_shown and "ada@example.com" not in summit_shown
