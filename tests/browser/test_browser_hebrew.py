"""The dashboard in Hebrew, in Chromium: a Hebrew browser gets right-to-left Hebrew pages,
the language switch is remembered from page to page, nothing English is left in the list's
visible words, and the campaign page still fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from campaign.store.db import open_db
from tests.browser.conftest import start_server, stop_server
from tests.browser.hebrew_campaign import clinic_campaign
from tests.browser.support import ROOT
from tests.browser.test_browser_pages import DESKTOP, PHONE, fits_the_screen

#: The visible words of a page, without what is data rather than the page's own words:
#: names and files (<bdi>, dir=ltr), commands (<code>) and times (read in the browser's zone).
VISIBLE_WORDS = """() => {
  const main = document.querySelector("main").cloneNode(true);
  const data = "bdi, code, time, [dir=ltr], [data-local-times], [hidden], .visually-hidden, " +
    "style, script, metadata, title";  // and what a browser never shows
  main.querySelectorAll(data).forEach((el) => el.remove());
  return main.innerText;
}"""


def _english_words(page: Page) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", page.evaluate(VISIBLE_WORDS))


def test_hebrew_pages_are_right_to_left_and_the_switch_is_remembered(
    browser: Browser, server: str, seeded: dict[str, int]
) -> None:
    context = browser.new_context(locale="he-IL", viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(server + "/")
        html = page.locator("html")
        expect(html).to_have_attribute("dir", "rtl")
        expect(html).to_have_attribute("lang", "he")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        expect(page.locator("h1")).to_have_text("קמפיינים")
        assert _english_words(page) == [], _english_words(page)
        # The campaign page: Hebrew headings, the state badge in Hebrew after live updates.
        page.goto(f"{server}/campaigns/{seeded['spring-recall']}")
        expect(page.locator("#h-outcomes")).to_have_text("אנשי קשר לפי תוצאה")
        expect(page.locator("[data-live-state]")).to_have_text("הסתיים")
        # The sentences of the live counters too, from the live JSON in the reader's language.
        expect(page.locator('[data-live="progress"]')).to_have_text("6 מתוך 6 אנשים הסתיימו (100%)")
        live = page.request.get(
            f"{server}/campaigns/{seeded['spring-recall']}/live", headers={"accept-language": "he"}
        ).json()
        assert live["live"]["runner"] == "אין"  # a finished campaign has no runner
        page.set_viewport_size(PHONE)
        assert fits_the_screen(page)

        # Switch to English: this page and the next ones, though the browser asks for Hebrew.
        page.set_viewport_size(DESKTOP)
        page.locator("[data-language=en]").click()
        expect(html).to_have_attribute("dir", "ltr")
        expect(page.locator("#h-outcomes")).to_have_text("Contacts by outcome")
        page.goto(server + "/")
        expect(page.locator("h1")).to_have_text("Campaigns")
        # And back to Hebrew, remembered on the contacts page.
        page.locator("[data-language=he]").click()
        expect(html).to_have_attribute("dir", "rtl")
        page.goto(f"{server}/campaigns/{seeded['spring-recall']}/contacts")
        expect(page.locator("h1")).to_have_text("אנשי קשר")
        expect(html).to_have_attribute("dir", "rtl")
    finally:
        context.close()


#: Latin the Hebrew pages may show besides what is marked as data (names, phones, files,
#: ids, hosts: <bdi>, dir=ltr, <code>, or FSI…PDI isolates inside a sentence) and the
#: options of the command line (`--start-at`): Voicy's and its API's names, the time
#: standard, the file formats.
ALLOWED_LATIN = frozenset({"API", "UTC", "CSV", "Excel", "webhooks", "Webhooks", "Voicy"})
_ISOLATED = re.compile("\u2068[^\u2069]*\u2069")
_OPTION = re.compile(r"--[a-z][a-z-]*")


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A dashboard of its own over the clinic's database (its webhook counters are the
    database's), and the campaign's id."""
    folder = tmp_path_factory.mktemp("clinic")
    database = open_db(folder / "clinic.db")
    try:
        campaign_id = clinic_campaign(database)
    finally:
        database.dispose()
    url, process = start_server("--db", "clinic.db", cwd=folder)
    yield url.rstrip("/"), campaign_id
    stop_server(process)


def _latin_left(page: Page) -> list[str]:
    """The Latin words left in the page's visible text, each with its line (to find it)."""
    lines = _OPTION.sub(" ", _ISOLATED.sub(" ", page.evaluate(VISIBLE_WORDS))).splitlines()
    found = [(line.strip(), [w for w in re.findall(r"[A-Za-z]{2,}", line)
                             if w not in ALLOWED_LATIN]) for line in lines]  # fmt: skip
    return [f"{' '.join(words)} in {line!r}" for line, words in found if words]


def test_no_english_left_on_the_campaign_contacts_check_and_error_pages(
    browser: Browser, clinic: tuple[str, int]
) -> None:
    base, campaign_id = clinic
    context = browser.new_context(locale="he-IL", viewport=DESKTOP, timezone_id="Asia/Jerusalem")
    try:
        page = context.new_page()
        # The campaign page: webhooks (received, refused), the API outage, the calendar's
        # wait for the end of Yom Kippur, the settings; after a live update too.
        page.goto(f"{base}/campaigns/{campaign_id}")
        expect(page.locator("html")).to_have_attribute("data-zone", "Asia/Jerusalem")
        expect(page.locator('[data-live="state_note"]')).to_contain_text("ה־API לא זמין מאז")
        expect(page.locator('[data-live="webhooks"]')).to_contain_text("2 נדחו: חתימה שגויה")
        expect(page.locator('[data-live="waiting.window.detail"]')).to_have_text("חג (יום כיפור)")
        expect(page.locator("[data-schedule]")).to_have_text(
            "ראשון–חמישי 09:00–20:00, שישי 09:00–13:00"
        )
        # Times in the reader's zone, by Babel for Hebrew (the day after Yom Kippur, 9:00).
        expect(page.locator('[data-live="waiting.window.next"]')).to_contain_text("9:00 שעון ישראל")
        page.wait_for_function("document.querySelector('[data-live=as_of]').textContent"
                               ".includes('שעון ישראל')")  # fmt: skip
        assert not (left := _latin_left(page)), "\n".join(left)
        # The charts, once drawn (their titles, axes and sentence; a loaded machine may take
        # a while to start the drawing process, so the wait is long and costs only then).
        expect(page.locator(".charts-box")).to_contain_text("שעון ישראל", timeout=90_000)
        assert not (left := _latin_left(page)), "\n".join(left)

        page.goto(f"{base}/campaigns/{campaign_id}/contacts")
        expect(page.locator("main")).to_contain_text("חג (יום כיפור)")
        assert not (left := _latin_left(page)), "\n".join(left)

        page.goto(f"{base}/campaigns/{campaign_id}/contacts/1")  # a call, its transcript
        expect(page.locator("main")).to_contain_text("שלום, מדברים ממרפאת הדר")
        assert not (left := _latin_left(page)), "\n".join(left)

        page.goto(f"{base}/campaigns/999")
        expect(page.locator("h1")).to_have_text("לא נמצא")
        assert not (left := _latin_left(page)), "\n".join(left)
        page.goto(f"{base}/campaigns/{campaign_id}/contacts?sort=drop")
        expect(page.locator("h1")).to_have_text("בקשה שגויה")
        assert not (left := _latin_left(page)), "\n".join(left)

        # The list check: the Israeli sample list, uploaded from the Hebrew page.
        page.goto(f"{base}/new")
        page.set_input_files("input[name=file]", str(ROOT / "sample_lists" / "contacts_he.csv"))
        page.locator("form button[type=submit]").first.click()
        expect(page.locator('[data-count="valid"]')).not_to_have_text("0")
        assert not (left := _latin_left(page)), "\n".join(left)
    finally:
        context.close()
