"""In English, every page shows no Vietnamese outside document data (issue 17 item 8 and its
"Must show"): every page of the URL map as each position opens it (tests/every_page.py, the
walk of the axe test), after the person chose English with the header's switch.

The rule: the pages' visible text (what the browser renders, the options of a list box, the
placeholders and the page's title) has no letter only Vietnamese uses, except inside an element
marked ``lang="vi"``. The templates mark with it, and with nothing else, what is data written in
Vietnamese by people or taken from the organisation's records: a document's subject, number and
issuer, names of people, units, agencies and records, what people wrote (notes, bút phê,
messages), and the switch back to Tiếng Việt, which names its language in that language. Place
names keep their diacritics in English too ("Quảng Ngãi Department of Health"): PLACES, the
demo's, are taken out of the texts before the scan. Anything
else (labels, headings, buttons, flashes, task, decision and document-type names, form labels)
must come through the translation catalogues (webui/translations, processes/*.en.json)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from engine.core.platform import Platform
from tests.browser import MOJIBAKE, SCREENSHOTS, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.every_page import Walk, every_page

# Letters only Vietnamese uses among the pages' languages, and the vowels with a Vietnamese tone
# (é of "Communiqué" would be French too, but no English label here has one).
PLACES = ("Bắc Từ Liêm", "Lai Châu", "Quảng Ngãi", "Đồng Nai", "Vạn Ninh", "Vạn Phước")
VIETNAMESE = re.compile("[ạảãầấậẩẫăằắặẳẵẹẻẽềếệểễịỉĩọỏõồốộổỗơờớợởỡụủũưừứựửữỳỵỷỹđĐ]|[àáâèéêìíòóôùúý]", re.I)

# Texts still said in Vietnamese on English pages, with what saying them in English needs; the
# test fails when one of them is no longer met (remove it here).
NOT_YET: dict[re.Pattern[str], str] = {}

# The texts a person reads on the page, outside the elements marked lang="vi": each text node
# the browser renders (an option is rendered through its list box), the placeholders, the values
# of input buttons.
_SHOWN_TEXTS = """() => {
  const data = el => (el.closest('[lang]')?.getAttribute('lang') || '').startsWith('vi');
  const shown = el => {
    const box = el.closest('option, optgroup') ? el.closest('select') : el;
    return box !== null && box.checkVisibility({visibilityProperty: true});
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el && !['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT'].includes(el.tagName) && !data(el) && shown(el)) {
      found.push([node.textContent, el]);
    }
  }
  for (const el of document.body.querySelectorAll('[placeholder], input[type=submit], input[type=button]')) {
    if (!data(el) && shown(el)) found.push([el.getAttribute('placeholder') || el.value || '', el]);
  }
  // each text with where it is (the element's tag and classes), to find it in the templates
  return found.map(([t, el]) => [t.trim().replace(/\\s+/g, ' '), [el.tagName.toLowerCase(), ...el.classList].join('.')])
              .filter(([t]) => t);
}"""


def vietnamese_outside_data(page: Page) -> list[str]:
    """The page's texts outside document data that have Vietnamese letters (see the rule above)."""
    texts: list[tuple[str, str]] = page.evaluate(_SHOWN_TEXTS)
    assert not [t for t, _ in texts if MOJIBAKE.search(t)], page.url
    return [f"{t} <{where}>" for t, where in texts if VIETNAMESE.search(re.sub("|".join(PLACES), "", t))]


def _known(texts: list[str], met: set[re.Pattern[str]]) -> list[str]:
    """``texts`` but those NOT_YET names, which are noted in ``met``."""
    left = []
    for text in texts:
        known = [pattern for pattern in NOT_YET if pattern.search(text)]
        met.update(known)
        if not known:
            left.append(text)
    return left


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_in_english_shows_no_vietnamese_outside_document_data(
        browser: Browser, live_url: str, platform: Platform, api: Api) -> None:  # noqa: F811
    walk = Walk({})
    found: dict[str, set[str]] = {}
    met: set[re.Pattern[str]] = set()
    for _role, path, page in every_page(browser, live_url, platform, api, walk, language="en"):
        if left := _known(vietnamese_outside_data(page), met):
            found.setdefault(re.sub(r"\d+", "N", path), set()).update(left)
    walk.assert_complete()
    report = "\n".join(f"{path}: {sorted(texts)}" for path, texts in sorted(found.items()))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "english-leftovers.txt").write_text(report, "utf-8")  # the whole list, kept
    assert found == {}, report
    assert met == set(NOT_YET), f"no longer met, remove from NOT_YET: {set(NOT_YET) - met}"
    print(f"\nEnglish: {walk.summary()}")
