"""The browser suite: the users' journeys in headless Chromium (Debian's /usr/bin/chromium driven by
Playwright, no browser download) against one fresh demo server per session, in Chinese.

It runs on the SQLite pass of `make test` only: the demo server always has its own temporary SQLite
database, so the PostgreSQL pass (FUNDTRACKER_TEST_DB=postgresql) would repeat it to no purpose. Without
Chromium or Playwright the suite is not collected, and the session ends with one line saying why.
"""
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE_WIDTH = 390
DEMO_PASSWORD = "demo-password"


def why_not_run() -> str | None:
    if os.environ.get("FUNDTRACKER_TEST_DB") == "postgresql":
        return "it runs on the SQLite pass only (its demo server has its own SQLite database)"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


SKIP_REASON = why_not_run()
collect_ignore_glob = ["test_*.py"] if SKIP_REASON else []


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON:
        terminalreporter.write_line(f"browser suite (tests/browser) skipped: {SKIP_REASON}", yellow=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the demo server stopped; its log is server.log in the test's temporary folder")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the demo server did not answer on {url} within {seconds} s")


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    """A fresh demo server: migrated and seeded temporary SQLite database, its own uploads folder."""
    folder = tmp_path_factory.mktemp("browser-server")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3", "SECRET_KEY": "browser-suite",
           "UPLOAD_FOLDER": str(folder / "uploads"), "FLASK_DEBUG": "0"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(folder / "server.log", "wb")  # a file, not a pipe: a full pipe nobody reads would stall the server
    server = subprocess.Popen(flask + ["run", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def zh():
    """The Chinese catalog's words for an English message id: the tests read what a Chinese user reads."""
    from babel.support import Translations

    catalog = Translations.load(str(ROOT / "fundtracker/translations"), ["zh"])
    return lambda message, **values: catalog.gettext(message) % values if values else catalog.gettext(message)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


class Visit:
    """One user in the browser, in Chinese; on a phone (390 px wide) every page seen is measured and
    photographed, and `assert_fits` names each page wider than the phone."""

    def __init__(self, page, base_url, screenshots, name, *, javascript, phone):
        self.page, self.base_url, self.screenshots, self.name = page, base_url, screenshots, name
        self.javascript, self.phone = javascript, phone
        self.widths: dict[str, int] = {}
        self.console_errors: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.seen()
        return response

    def seen(self) -> None:
        """Call after every step that shows a new page (a navigation, or a swap in place)."""
        if not self.phone:
            return
        self.page.wait_for_load_state()
        path = self.page.url.removeprefix(self.base_url)
        self.widths[path] = self.page.evaluate("document.documentElement.scrollWidth")
        shot = f"{self.name}-{len(self.widths):02d}.png"
        self.page.screenshot(path=str(self.screenshots / shot), full_page=True)

    def assert_fits(self) -> None:
        too_wide = {path: width for path, width in self.widths.items() if width > PHONE_WIDTH}
        assert not too_wide, f"wider than a {PHONE_WIDTH} px phone: {too_wide}"

    def assert_no_console_errors(self) -> None:
        unexpected = [e for e in self.console_errors if "422" not in e]  # refused forms answer 422 on purpose
        assert not unexpected, unexpected


@pytest.fixture
def visit(browser, base_url, screenshots, request):
    """visit(user, javascript=True, phone=False) -> a signed-in Visit in Chinese; visit(None, ...) -> an
    anonymous one (a villager: a fresh context, no login, no cookie)."""
    contexts, visits = [], []

    def sign_in(user: str | None, *, javascript: bool = True, phone: bool = False) -> Visit:
        viewport = {"width": PHONE_WIDTH, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
                                      java_script_enabled=javascript, viewport=viewport, accept_downloads=True)
        context.set_default_timeout(30_000)  # generous: CI machines are shared
        contexts.append(context)
        name = f"{request.node.name}-{user or 'anonymous'}".replace("/", "_").replace("[", "-").replace("]", "")
        current = Visit(context.new_page(), base_url, screenshots, name, javascript=javascript, phone=phone)
        visits.append(current)
        if user is None:
            return current
        current.goto("/login")
        current.page.fill("#username", user)
        current.page.fill("#password", DEMO_PASSWORD)
        current.page.click("main button[type=submit]")
        current.page.wait_for_url(f"{base_url}/")
        assert current.page.get_attribute("html", "lang") == "zh-CN"
        current.seen()
        return current

    yield sign_in
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:  # what each user saw last, for the one who reads the failure
        for current in visits:
            try:
                (screenshots / f"{current.name}-failed.html").write_text(current.page.content())
                current.page.screenshot(path=str(screenshots / f"{current.name}-failed.png"), full_page=True)
            except Exception as error:  # best effort: the test's own failure is the one to report
                print(f"no screenshot of {current.name}: {error}")
        print(f"screenshots and pages of the failure in {screenshots}")
    for context in contexts:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.call_report = outcome.get_result()


# The two ways each journey runs: on a desktop with JavaScript (HTMX), and on a phone without it.
DESKTOP_WITH_JS = pytest.param({"javascript": True, "phone": False}, id="desktop-js")
PHONE_WITHOUT_JS = pytest.param({"javascript": False, "phone": True}, id="phone-nojs")
BOTH_WAYS = [DESKTOP_WITH_JS, PHONE_WITHOUT_JS]
