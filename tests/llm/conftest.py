"""Fixtures for the model tests: a local fake Messages API, and a guard that keeps every test offline."""

import socket
import sys
from pathlib import Path

import pytest

# The project runs pytest with --import-mode=importlib, which leaves sys.path alone; the tests here import
# the fake server's helpers by name, so this folder goes on the path.
sys.path.insert(0, str(Path(__file__).parent))
from fake_anthropic import FakeAnthropic  # noqa: E402

TEST_KEY = "sk-ant-test-0123456789-SECRET"


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Refuse connections to anything but this machine, so no test can reach a real API by mistake."""
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)


@pytest.fixture
def fake_api():
    server = FakeAnthropic().start()
    yield server
    server.stop()


@pytest.fixture
def claude(fake_api):
    from wfkit.llm.claude import Claude

    with Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url, max_retries=2, timeout=10) as llm:
        yield llm
