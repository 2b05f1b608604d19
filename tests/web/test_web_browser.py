"""End to end in headless Chromium (Debian's, driven by Playwright) against a live ``podium up``.

Alice signs in with the dev issuer (authorization code + PKCE), introduces herself, starts a new
session and gets streamed recommendations as cards; her memory panel shows what was extracted,
with the source message and why; she deletes one record. Bob then signs in and sees none of it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright_api
from playwright.sync_api import Page, expect

from fixtures.web import REPO, UpProcess, wait_for_extraction

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
INTRO = (
    "My name is Alice, I'm a software engineer at TechCorp. I'm interested in AI and security "
    "and I prefer hands-on sessions."
)
HANDS_ON = {"workshop", "builders' session", "code talk"}

pytestmark = pytest.mark.timeout(600)
# Chromium, `podium up` and pytest share the machine's cores: give each expectation 15 s, not 5.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `make test` (scripts/system_deps.sh)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield b
        b.close()


def sign_in(page: Page, url: str, user: str, password: str) -> None:
    page.goto(url + "/")
    expect(page.locator("#signin")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/idp/authorize.*"))
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#actor")).to_have_text(user, timeout=30_000)
    expect(page.locator("#app")).to_be_visible()
    assert "code=" not in page.url  # the code is removed from the address bar


def count_text_updates(page: Page) -> None:
    """Count how often the newest answer's text changes while it streams."""
    page.evaluate(
        """() => {
        window.__updates = 0;
        new MutationObserver((records) => {
          for (const r of records) {
            const target = r.target.nodeType === 3 ? r.target.parentElement : r.target;
            if (target && target.closest('.message-assistant[aria-busy="true"] .text')) window.__updates++;
          }
        }).observe(document.getElementById('messages'), {subtree: true, childList: true, characterData: true});
    }"""
    )


def ask(page: Page, text: str) -> Any:
    """Send ``text`` with the keyboard and wait for the streamed answer to finish."""
    before = page.locator(".message-assistant").count()
    page.locator("#prompt").fill(text)
    page.locator("#prompt").press("Enter")
    answer = page.locator(".message-assistant").nth(before)
    expect(answer).to_have_attribute("aria-busy", "false", timeout=120_000)
    expect(answer.locator(".error-text")).to_have_count(0)
    return answer


def memory_items(page: Page, at_least: int, timeout_s: float = 90.0) -> Any:
    """Refresh the memory panel until it lists ``at_least`` records (extraction is async)."""
    items = page.locator("#memory-list .memory-item")
    deadline = time.monotonic() + timeout_s
    while items.count() < at_least:
        assert time.monotonic() < deadline, "memory records did not appear"
        page.wait_for_timeout(700)
        page.get_by_role("button", name="Refresh").click()
        expect(page.locator("#memory-status")).not_to_have_text("Loading…")
    return items


def memory_items_settled(page: Page, home: Path, timeout_s: float = 60.0) -> Any:
    """Refresh the memory panel once no extraction job is left, until two refreshes agree."""
    deadline = time.monotonic() + timeout_s
    assert wait_for_extraction(home / "podium.db", timeout_s) == 0, "extraction jobs still open"
    items = page.locator("#memory-list .memory-item")
    previous: list[str | None] = []
    while True:
        current = [items.nth(i).get_attribute("data-record") for i in range(items.count())]
        if current and current == previous:
            return items
        assert time.monotonic() < deadline, "memory records kept changing"
        previous = current
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="Refresh").click()
        expect(page.locator("#memory-status")).not_to_have_text("Loading…")


def test_alice_then_bob(browser: Any, podium: UpProcess) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # (1) Alice signs in and introduces herself.
    sign_in(page, podium.url, "alice", "alice-password")
    expect(page.locator("#offline-badge")).to_be_visible()
    expect(page.locator("#model-name")).to_have_text("offline model")
    answer = ask(page, INTRO)
    expect(answer.locator(".text")).to_contain_text("Alice")

    # Long-term memory is extracted in the background: wait for it in the panel.
    page.locator("#memory-panel summary").click()
    memory_items(page, 2)

    # (2) A new session: memory carries over, recommendations stream in as cards.
    page.get_by_role("button", name="New session").click()
    expect(page.locator("#messages .message")).to_have_count(0)
    count_text_updates(page)
    answer = ask(page, "Can you recommend some sessions for me?")
    updates = page.evaluate("window.__updates")
    assert updates > 1, f"the answer was not streamed (text updated {updates} times)"
    cards = answer.locator(".card")
    assert cards.count() >= 1
    first = cards.first
    expect(first.locator(".card-code")).to_have_text(re.compile(r"^[A-Z]{3}\d{3}$"))
    facts = first.locator(".card-facts").inner_text()
    for label in ("When", "Where", "Level", "Type"):
        assert label in facts
    whys = " ".join(answer.locator(".card-why li").all_inner_texts()).lower()
    assert "ai" in whys and "security" in whys, whys
    kinds = [c.lower() for c in answer.locator(".card-facts").all_inner_texts()]
    assert any(kind in text for text in kinds for kind in HANDS_ON), kinds
    # The seed's target: most of the next session's picks are hands-on AI or security sessions.
    texts = [c.lower() for c in cards.all_inner_texts()]
    fitting = [
        t for t in texts if any(k in t for k in HANDS_ON) and ("security" in t or "ai" in t.split())
    ]
    print(f"\nseed scenario: {len(fitting)} of {len(texts)} picks hands-on AI or security")
    assert len(fitting) >= 0.8 * len(texts), texts
    # The profile the answer used is shown, with a way to correct it.
    expect(answer.locator(".profile-used")).to_contain_text(re.compile(r"^Using: .*security"))
    expect(answer.locator(".profile-fix")).to_be_visible()
    # Citations in the answer link to their cards.
    citation = answer.locator("a.citation").first
    expect(citation).to_be_visible()
    target = citation.get_attribute("href")
    assert target and answer.locator(target).count() == 1
    expect(page.locator("#session-list li")).to_have_count(2)

    # (3) What Podium knows about Alice, with provenance.
    items = memory_items(page, 2)
    panel = page.locator("#memory-list")
    expect(panel).to_contain_text("TechCorp")
    quotes = " ".join(page.locator("#memory-list .memory-quote").all_inner_texts())
    assert "TechCorp" in quotes  # the source message, verbatim
    expect(items.first.locator(".memory-why")).to_contain_text("Why:")

    # (4) Delete one record; it stays gone after a reload from the server. Extraction is
    # asynchronous (the second session's summary may still be landing): wait until the panel's
    # count is stable across refreshes so the count check below measures only the delete.
    items = memory_items_settled(page, podium.home)
    n = items.count()
    victim = items.first
    victim_id = victim.get_attribute("data-record")
    victim.get_by_role("button", name=re.compile(r"^Delete memory")).click()
    expect(page.locator("#memory-status")).to_have_text(re.compile("Deleted"))
    expect(items).to_have_count(n - 1)
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#memory-status")).to_have_text(re.compile(f"^{n - 1} "))
    assert page.locator(f'[data-record="{victim_id}"]').count() == 0

    # Searching her own past messages finds the introduction, dated.
    page.locator("#recall-q").fill("where do I work?")
    page.get_by_role("button", name="Search my past").click()
    expect(page.locator("#recall-status")).to_have_text(re.compile(r"\d+ past messages? found"))
    expect(page.locator("#recall-list .recall-item").first).to_contain_text("TechCorp")

    # Catalog search with a filter.
    page.locator("#catalog-q").fill("security")
    page.get_by_label("Topic").select_option("security")
    page.locator("#catalog-form").get_by_role("button", name="Search").click()
    expect(page.locator("#catalog-status")).to_have_text(re.compile(r"\d+ sessions? found"))
    topics = page.locator("#catalog-results .card-facts").all_inner_texts()
    assert topics and all("security" in t for t in topics)

    # Agenda and feedback from a card: the agenda panel lists it, the rating is saved.
    card = page.locator("#catalog-results .card").first
    code = card.get_attribute("data-code")
    card.get_by_role("button", name="Add to agenda").click()
    expect(card.locator(".card-note")).to_have_text(re.compile("Added"))
    expect(page.locator("#agenda-list li")).to_have_count(1)
    expect(page.locator("#agenda-list li").first).to_contain_text(str(code))
    card.get_by_label(f"Rate {code}").select_option("5")
    expect(card.locator(".card-note")).to_have_text(re.compile("5/5 saved"))

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "ui.png"
    page.evaluate(
        """() => {
        const log = document.getElementById('messages');
        const cards = log.querySelector('.message-assistant:last-of-type .cards');
        log.scrollTop = cards.offsetTop - log.offsetTop - 260;
        window.scrollTo(0, 0);
    }"""
    )
    page.screenshot(path=str(shot))
    if os.environ.get("PODIUM_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, REPO / "docs" / "screenshot.png")

    # (5) Bob signs in and sees none of Alice's data.
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#signin")).to_be_visible()
    sign_in(page, podium.url, "bob", "bob-password")
    expect(page.locator("#session-list li")).to_have_count(0)
    expect(page.locator("#sessions-empty")).to_be_visible()
    page.locator("#memory-panel summary").click()  # a fresh page load: the panel is closed
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#memory-status")).to_have_text(re.compile("does not remember anything"))
    expect(page.locator("#memory-list .memory-item")).to_have_count(0)
    expect(page.locator("#agenda-list li")).to_have_count(0)
    page.locator("#recall-q").fill("TechCorp security engineer")
    page.get_by_role("button", name="Search my past").click()
    expect(page.locator("#recall-status")).to_have_text("Nothing you said matches.")
    assert "TechCorp" not in page.content()
    assert not errors, errors
    context.close()


def test_errors_are_messages_not_blank_screens(browser: Any, podium: UpProcess) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()

    # Server down: a message with a retry button.
    page.route("**/api/config", lambda route: route.abort())
    page.goto(podium.url + "/")
    expect(page.locator("#status")).to_be_visible()
    expect(page.locator("#status-text")).to_contain_text("Cannot reach the Podium server")
    page.unroute("**/api/config")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator("#signin")).to_be_visible()

    # A token the server rejects (expired, revoked...): back to sign-in, with the reason.
    page.evaluate("sessionStorage.setItem('podium.token', 'not-a.valid-jwt.at-all')")
    page.reload()
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#signin-message")).to_contain_text("expired")

    # Usable on a narrow screen: signed in, nothing wider than the viewport.
    sign_in(page, podium.url, "bob", "bob-password")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    expect(page.locator("#prompt")).to_be_focused()
    context.close()
