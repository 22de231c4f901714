"""Browser tests: Playwright driving Debian's chromium (/usr/bin/chromium) against the live
test server. Screenshots of key pages go to test-artifacts/ for people to look at."""

import importlib
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SALESOPS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# The seeded data (rules, stages, policies) every area relies on; each seed is idempotent.
SEEDS = (
    "salesops.approvals.migrations.0002_seed_default_rules",
    "salesops.crm.migrations.0003_seed_stages_pool_rules_policy",
    "salesops.sales.migrations.0003_discount_policy_and_approval_rules",
    "salesops.sop.migrations.0002_seed_sop_calendar",
    "salesops.field.migrations.0002_seed_policy_frequencies_criteria",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    """Live-server tests flush the database after each test. Once Playwright runs its event loop
    the test gets a new connection object, which does not hold the migrated data that
    serialized rollback would restore, so the seeds are applied again here."""
    from django.apps import apps

    for module in SEEDS:
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def page_for(browser, live_server):
    """page_for(viewport=PHONE, locale="en-US") → a fresh browser context's page on the live server."""
    contexts = []

    def make(viewport=DESKTOP, locale="en-US"):
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, username, password="test-password-123"):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
