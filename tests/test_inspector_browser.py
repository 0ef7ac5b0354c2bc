"""The inspector page in a real browser: Debian's chromium, driven by Playwright, against a live mock that the
official Python SDK talks to.

Playwright comes from PyPI; its own browser download is never used (`executable_path` is the system's
chromium). Without playwright or /usr/bin/chromium these tests skip and say why. The screenshot lands in
test-artifacts/inspector.png (INSPECTOR_ARTIFACTS_DIR overrides the directory) for CI to keep.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

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
from urllib3.util.retry import Retry

from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

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

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    pytest.skip("playwright is not installed: pip install -e '.[test]' (or pip install playwright)", allow_module_level=True)
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: apt-get install chromium (Debian's browser; playwright install is not used)", allow_module_level=True)


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            pytest.skip(f"{CHROMIUM} would not start under Playwright: {str(exc).splitlines()[0]}")
        yield browser
        browser.close()


@pytest.fixture
def mock() -> Iterator[tuple[str, object]]:
    app = create_app(Settings())
    with serve_in_thread(app) as url:
        yield url, app


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"the page threw: {errors}"


def open_inspector(page: Page, url: str, view: str = "journal") -> None:
    page.goto(f"{url}/__mock/ui#{view}")
    page.wait_for_selector("body[data-ready]")


def sdk(url: str):
    # No retries: a fault armed from the page must reach the test as the SDK's exception.
    return hubspot.Client.create(access_token=TOKEN, host=url, retry=Retry(total=0)).marketing.events


def send_traffic(url: str, app) -> str:
    """What an integration sends on a typical day: two events, four registrations by email, two attendances and
    a cancellation by vid, a read-back that meets a 503, and two mistakes. Returns the webinar's objectId."""
    events = sdk(url)

    def event(event_id: str, name: str, start: str, end: str) -> MarketingEventCreateRequestParams:
        return MarketingEventCreateRequestParams(
            external_account_id="acct-1", external_event_id=event_id, event_name=name, event_organizer="Acme",
            event_type="WEBINAR", start_date_time=start, end_date_time=end, custom_properties=[PropertyValue(name="platform", value="zoom")],
        )

    created = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[
        event("webinar-1", "Launch webinar", "2026-12-01T15:00:00Z", "2026-12-01T16:00:00Z"),
        event("summit-2026", "Customer summit", "2026-12-08T09:00:00Z", "2026-12-08T17:00:00Z"),
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
    expect(webinar.locator("td.num")).to_have_text("4")
    webinar.focus()
    page.keyboard.press(" ")

    attendees = page.locator("#attendee-rows tr")
    expect(attendees).to_have_count(4)
    ada = attendees.filter(has_text="ada@example.com")
    expect(ada.locator("td.history .state")).to_have_text(["REGISTERED", "ATTENDED"])
    expect(ada.locator("td.history")).to_contain_text("15:00:00.000–15:55:00.000")
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
