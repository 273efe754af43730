"""Real-browser fixtures: one JupyterLab on 127.0.0.1 per test session (isolated config, fixed token), one
headless Debian Chromium driven by Playwright, and a `lab` object that writes notebooks, opens them, runs
their cells, clicks widgets and asks the kernel for values.

Chromium comes from `apt-get install chromium` (never `playwright install`, which downloads a browser and
cannot work here). Without it the tests skip on a developer machine but FAIL when `CI` is set, so a CI run
cannot pass by silently not testing the browser. Screenshots go to `test-artifacts/` at the repo root.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
TOKEN = "wfkit-browser-test"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

# Runs JavaScript in the page: execute `code` in the open notebook's kernel and return what it printed.
KERNEL_PRINT_JS = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, store_history: false});
  let out = "";
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === "stream") out += msg.content.text;
    if (t === "error") out += msg.content.ename + ": " + msg.content.evalue;
  };
  await future.done;
  return out;
}"""
KERNEL_IDLE_JS = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                  " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                  " return k && k.status === 'idle'; }")


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        message = (f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium` "
                   "(never `playwright install`)")
        if os.environ.get("CI"):
            pytest.fail("browser tests cannot run on CI: " + message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


class Lab:
    """The running JupyterLab and helpers for one test's page."""

    def __init__(self, base: str, root: Path):
        self.base, self.root = base, root
        self.page = None
        self._shots = 0

    def write_notebook(self, name: str, cells: list[str]) -> str:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, self.root / name)
        return name

    def open_and_run(self, name: str) -> None:
        """Open notebook `name`, wait for an idle kernel, run all cells."""
        page = self.page
        # A workspace of its own, reset: otherwise Lab reopens the notebooks of earlier tests beside this one.
        page.goto(f"{self.base}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_function(KERNEL_IDLE_JS)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.locator(".wf-debugger").first.wait_for(state="visible")

    def kernel_print(self, code: str) -> str:
        """Run `code` in the notebook's kernel (not as a cell) and return what it printed."""
        return self.page.evaluate(KERNEL_PRINT_JS, code)

    def status(self, text: str) -> str:
        """Wait until the debugger's status line reads exactly `text` (and return it)."""
        self.page.wait_for_function(
            "(text) => { const el = document.querySelector('.wf-status');"
            " return el !== null && el.innerText.trim() === text; }", arg=text)
        return self.text(".wf-status")

    def marked(self, state: str) -> list[str]:
        """The node titles the picture marks with `state` (current / next / visited / ...)."""
        return self.titles(f"g.node.wf-{state}")

    def marks(self, **expected: list[str]) -> dict[str, list[str]]:
        """The marked node titles for each state named, once they equal `expected` or after 10 s: a widget's
        models update independently in the browser, so the picture may land a moment after the status."""
        deadline = time.time() + 10
        while True:
            actual = {state: self.marked(state) for state in expected}
            if actual == expected or time.time() > deadline:
                return actual
            time.sleep(0.05)

    def titles(self, group: str) -> list[str]:
        """The <title> texts of the picture's SVG groups matching `group` (SVG has no innerText)."""
        return self.page.locator(f".wf-debugger .wf-graph-view {group} > title").evaluate_all(
            "els => els.map(e => e.textContent)")

    def text(self, selector: str, expected: str | None = None) -> str:
        """The visible text of the first match, whitespace collapsed; with `expected`, once it reads so (or
        after 10 s), for the same reason as `marks`."""
        deadline = time.time() + 10
        while True:
            actual = " ".join(self.page.locator(selector).first.inner_text().split())
            if expected is None or actual == expected or time.time() > deadline:
                return actual
            time.sleep(0.05)

    def shot_path(self, test_name: str, what: str) -> Path:
        """Where the next screenshot of `test_name` goes (in test-artifacts/)."""
        ARTIFACTS.mkdir(exist_ok=True)
        self._shots += 1
        return ARTIFACTS / f"{test_name}-{self._shots}-{what}.png"

    def shot(self, test_name: str, what: str) -> Path:
        path = self.shot_path(test_name, what)
        # Lab scrolls inside the notebook panel, so bring the widget's top into view rather than the code.
        self.page.locator(".wf-debugger").first.evaluate("el => el.scrollIntoView({block: 'start'})")
        self.page.screenshot(path=str(path))
        return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_server(chromium, tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a fixed token in an isolated config; stopped after the session."""
    root = tmp_path_factory.mktemp("lab")
    state = tmp_path_factory.mktemp("labstate")
    notif = state / "settings" / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    # What `pip install wfkit` adds to an environment (pyproject.toml's shared-data), here in the isolated
    # dirs: the server extension that keeps widgets' last views, and Lab's setting to save widget state.
    (state / "config" / "jupyter_server_config.d").mkdir(parents=True)
    (state / "config" / "jupyter_server_config.d" / "wfkit.json").write_text(
        (REPO / "jupyter-config" / "server" / "wfkit.json").read_text())
    (state / "app-settings" / "overrides.d").mkdir(parents=True)
    (state / "app-settings" / "overrides.d" / "wfkit.json").write_text(
        (REPO / "jupyter-config" / "lab" / "wfkit.json").read_text())
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}  # the offline model, never the network
    env.update(PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               JUPYTER_CONFIG_DIR=str(state / "config"), JUPYTER_RUNTIME_DIR=str(state / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(state / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"))
    port = _free_port()
    log = open(state / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
         f"--LabApp.app_settings_dir={state / 'app-settings'}"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("jupyter lab did not start:\n" + (state / "lab.log").read_text())
            time.sleep(0.3)
    yield base, root
    proc.terminate()  # only the process this fixture started
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser_context(chromium, tmp_path_factory):
    # Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread while it
    # is open, and the widget unit tests that run later must see no running loop.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=chromium, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1300, "height": 1500})
        context.set_default_timeout(30_000)
        yield context
        context.close()


@pytest.fixture
def lab(lab_server, browser_context):
    base, root = lab_server
    helper = Lab(base, root)
    helper.page = browser_context.new_page()
    yield helper
    helper.page.close()
