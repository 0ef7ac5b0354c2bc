"""The inspector page served by the proxy, in a real browser (Debian's chromium through Playwright, set up as in
test_inspector_browser.py): the Proxy tab over the comparisons, its links to the shadow's journal and back.

The proxy runs the live profile in front of a stand-in upstream (the mock with the spec profile and its own ids,
as in test_proxy.py); the official Python SDK drives the calls. Screenshots land in test-artifacts/
(INSPECTOR_ARTIFACTS_DIR): proxy-inspector.png, and inspector-proxy-<view>-<width>.png from the layout test.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
import hubspot
import pytest
from hubspot.marketing.events.exceptions import NotFoundException
from urllib3.util.retry import Retry

from mock_server import create_app
from mock_server.proxy import ProxyConfig
from mock_server.testing import serve_in_thread
from test_inspector_browser import ARTIFACTS, WIDTHS, browser, layout_problems, open_page  # noqa: F401 (the fixtures)
from test_proxy import ACCOUNT, BASELINE, EVENTS, STAND_IN, TOKEN, serve_proxy
from test_proxy_inspector_api import integration

# After test_inspector_browser: without playwright or chromium it has skipped this module (failed it under CI=true).
from playwright.sync_api import Page, expect

ATTEND = "/attendance/webinar-1/attend/create"
LONG_EMAIL = "katherine.johnson@langleyresearchcenterflightresearchdivision.example.gov"


@dataclass
class Proxied:
    url: str
    upstream: str
    events: Any  # the SDK's marketing.events, through the proxy


def sdk(url: str) -> Any:
    # No retries: the upstream's 503 must reach the test as the SDK's exception.
    return hubspot.Client.create(access_token=TOKEN, host=url, retry=Retry(total=0)).marketing.events


def drive(proxied: Proxied) -> str:
    """The API tests' integration through the proxy, with a long email to test the layout: registrations matched,
    the attendance by vid differed (200 against the shadow's 201), the read-back counted differently, then a 503."""
    return integration(proxied.events, proxied.upstream, LONG_EMAIL)


@pytest.fixture
def proxied() -> Iterator[Proxied]:
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=BASELINE)) as (proxy_url, _):
            yield Proxied(proxy_url, upstream_url, sdk(proxy_url))


def open_inspector(page: Page, url: str, view: str = "") -> None:
    page.goto(f"{url}/__mock/ui" + (f"#{view}" if view else ""))
    page.wait_for_selector("body[data-ready]")


def comparisons(url: str) -> list[dict[str, Any]]:
    return httpx.get(f"{url}/__mock/proxy/comparisons", params={"limit": 1000}).json()["comparisons"]


# ---------------------------------------------------------------------------------------------- tests
def test_the_proxy_tab_lists_each_call_with_its_outcome_and_a_differing_calls_detail(proxied, open_page):
    drive(proxied)
    page = open_page()
    open_inspector(page, proxied.url)  # on a proxy the page opens on its tab
    expect(page.locator("#proxy-tab")).to_be_visible()
    expect(page.locator("#tabs a[data-view=proxy]")).to_have_attribute("aria-current", "")
    expect(page.locator("#tabs a[data-view=faults]")).to_be_hidden()  # the shadow takes no faults
    expect(page.locator("#reset")).to_be_hidden()

    expected = comparisons(proxied.url)
    rows = page.locator("#proxy-rows tr")
    expect(rows).to_have_count(len(expected))
    expect(rows.locator("td:first-child")).to_have_text([str(c["id"]) for c in expected])  # newest first
    outcomes = {"matched": "matched", "differed": "differed", "upstream_fault": "upstream fault", "not_compared": "not compared"}
    expect(rows.locator(".result")).to_have_text([outcomes[c["outcome"]] for c in expected])
    # the 503; the read-back (the live shadow stored nothing for an attendance without times); the attendance
    # by vid; the registrations and the upsert
    assert [c["outcome"] for c in expected] == ["upstream_fault", "differed", "differed", "matched", "matched"]
    fault = rows.first
    expect(fault.locator("td.upstream-status")).to_have_text("503")
    expect(fault.locator("td.mock-status")).to_have_text("—")

    summary = page.locator("#proxy-summary")
    expect(summary.locator(".totals")).to_contain_text("5 calls: 4 compared")
    expect(summary.locator(".suggestion", has_text="record_by_contact_ids_status=200")).to_be_visible()
    expect(page.locator("#differed-count")).to_have_text("2")

    attend = next(c for c in expected if c["request"]["path"].endswith(ATTEND))
    rows.filter(has_text=ATTEND).click()
    detail = page.locator("#proxy-detail")
    expect(detail.locator("h2")).to_contain_text(f"POST {EVENTS}{ATTEND}?externalAccountId={ACCOUNT}")
    status = detail.locator("table.differences tr[data-field=status]")
    expect(status.locator("td")).to_have_text([
        "status", "200", "201", re.compile(r"profile=spec\s*record_by_contact_ids_status=200"),
    ])
    # two differences (the status, and the attendance stored or not): only the other profile fixes both
    expect(detail.locator("table.differences tbody tr")).to_have_count(2)
    expect(detail.locator(".whole-call code")).to_have_text(["profile=spec"])
    expect(detail.locator("h3", has_text="The upstream's answer")).to_contain_text("200")
    expect(detail.locator("h3", has_text="The shadow mock's answer")).to_contain_text("201")
    expect(detail.locator("table.headers.request")).to_contain_text("[redacted]")
    expect(detail.locator("pre.body.upstream")).to_contain_text('"vid"')
    expect(detail.locator("table.headers.mock")).to_contain_text(attend["shadow_correlation_id"])
    assert TOKEN not in page.content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "proxy-inspector.png"))

    # Live: a call made with the page open appears on top, compared, and the summary follows.
    with pytest.raises(NotFoundException):
        proxied.events.basic_api.get_details("no-such-webinar", ACCOUNT)
    expect(rows).to_have_count(len(expected) + 1)
    expect(rows.first).to_contain_text("/events/no-such-webinar")
    expect(rows.first.locator(".result")).to_have_text("matched")
    expect(summary.locator(".totals")).to_contain_text("6 calls: 5 compared")

    page.select_option("#proxy-filters select[name=outcome]", "differed")
    expect(rows).to_have_count(2)
    expect(page.locator("#proxy-total")).to_have_text("2 calls differed")


def test_a_comparison_links_to_the_shadows_journal_entry_and_back(proxied, open_page):
    drive(proxied)
    attend = next(c for c in comparisons(proxied.url) if c["request"]["path"].endswith(ATTEND))
    page = open_page()
    open_inspector(page, proxied.url, f"proxy/{attend['id']}")  # a deep link to one comparison
    detail = page.locator("#proxy-detail")
    link = detail.locator("dd.journal-link a")
    expect(link).to_have_text(re.compile(r"call #\d+"))
    link.click()

    expect(page.locator("#tabs a[data-view=journal]")).to_have_attribute("aria-current", "")
    entry = page.locator("#journal-detail")
    expect(entry.locator("h2")).to_contain_text(ATTEND)  # the call as the shadow took it
    expect(entry).to_contain_text(attend["shadow_correlation_id"])
    expect(entry.locator(".outcome")).to_contain_text("OK")
    compared = entry.locator("dd.compared")
    expect(compared.locator(".result")).to_have_text("differed")
    expect(compared.locator("a")).to_have_text(f"compared with the upstream: {len(attend['differences'])} difference"
                                               + ("" if len(attend["differences"]) == 1 else "s"))

    # a matched call says so too
    page.locator("#journal-rows tr", has_text="recordByEmail").click()
    expect(entry.locator("dd.compared a")).to_have_text("compared with the upstream: matched")

    # and back to the differing comparison
    page.locator("#journal-rows tr", has_text="recordByContactIds").click()
    expect(entry).to_contain_text(attend["shadow_correlation_id"])
    compared.locator("a").click()
    expect(page).to_have_url(re.compile(rf"#proxy/{attend['id']}$"))
    expect(detail.locator("table.differences tr[data-field=status]")).to_be_visible()


def test_comparisons_are_paged(open_page):
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=BASELINE, try_candidates=False)) as (proxy_url, _):
            http = httpx.Client(base_url=proxy_url, headers={"Authorization": f"Bearer {TOKEN}"})
            for i in range(60):
                http.get(f"{EVENTS}/events/missing-{i}", params={"externalAccountId": ACCOUNT})
            page = open_page()
            open_inspector(page, proxy_url)
            rows = page.locator("#proxy-rows tr")
            expect(rows).to_have_count(50)
            expect(rows.first.locator("td").first).to_have_text("60")
            page.click("#proxy-pager .older")
            expect(rows).to_have_count(10)
            expect(rows.last.locator("td").first).to_have_text("1")
            expect(page.locator("#proxy-pager .older")).to_be_disabled()
            page.click("#proxy-pager .newer")
            expect(rows.first.locator("td").first).to_have_text("60")


def test_with_an_admin_token_the_proxy_tab_appears_once_the_token_is_given(open_page):
    settings = dataclasses.replace(BASELINE, admin_token="admin-s3cret")
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=settings, try_candidates=False)) as (proxy_url, _):
            httpx.get(f"{proxy_url}{EVENTS}/1", headers={"Authorization": f"Bearer {TOKEN}"})
            page = open_page()
            page.goto(f"{proxy_url}/__mock/ui")
            expect(page.locator("#token-dialog")).to_be_visible()
            page.fill("#token-dialog input[name=token]", "admin-s3cret")
            page.click("#token-dialog button[value=save]")
            expect(page.locator("#proxy-tab")).to_be_visible()
            expect(page.locator("#proxy-rows tr")).to_have_count(1)
            expect(page.locator("#proxy-rows tr .result")).to_have_text("matched")
            assert "admin-s3cret" not in page.content()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_cell_or_panel_overflows_in_the_proxy_tab_or_the_shadows_journal(proxied, open_page, width):
    drive(proxied)
    attend = next(c for c in comparisons(proxied.url) if c["request"]["path"].endswith(ATTEND))
    page = open_page(width)
    open_inspector(page, proxied.url, f"proxy/{attend['id']}")
    expect(page.locator("#proxy-detail table.differences")).to_be_visible()
    assert layout_problems(page, "proxy-comparison", width) == []

    register = next(c for c in comparisons(proxied.url) if "email-create" in c["request"]["path"])
    page.locator(f"#proxy-rows tr[data-id='{register['id']}']").click()
    expect(page.locator("#proxy-detail pre.body.request")).to_contain_text(LONG_EMAIL)
    assert layout_problems(page, "proxy-register", width) == []

    page.locator("#proxy-rows tr", has_text=ATTEND).click()
    page.locator("#proxy-detail dd.journal-link a").click()
    expect(page.locator("#journal-detail dd.compared")).to_be_visible()
    assert layout_problems(page, "proxy-journal", width) == []
