"""The dashboard in Hebrew, in Chromium: a Hebrew browser gets right-to-left Hebrew pages,
the language switch is remembered from page to page, nothing English is left in the list's
visible words, and the campaign page still fits a phone."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_browser_pages import DESKTOP, PHONE, fits_the_screen

#: The visible words of a page, without what is data rather than the page's own words:
#: names and files (<bdi>, dir=ltr), commands (<code>) and times (read in the browser's zone).
VISIBLE_WORDS = """() => {
  const main = document.querySelector("main").cloneNode(true);
  const data = "bdi, code, time, [dir=ltr], [data-local-times], [hidden], .visually-hidden";
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
