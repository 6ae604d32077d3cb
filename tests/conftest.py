"""Shared fixtures: an isolated data folder, a local HTTP server, and no network beyond 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import threading
import time
from pathlib import Path

import pytest

import utils.data as data

_real_connect = socket.socket.connect


def _loopback_only_connect(sock, address):
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and host not in ("127.0.0.1", "localhost", "::1")
        and sock.family != socket.AF_UNIX
    ):
        raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")
    return _real_connect(sock, address)


def _loopback_getaddrinfo(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1", None):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


_real_getaddrinfo = socket.getaddrinfo

# Every notebook kernel nbval starts inherits this process's environment. The committed outputs must not
# depend on a network or on the hash seed, so the kernels run with downloads forbidden, every HTTP(S) proxy
# pointed at a closed local port (no route out), and a fixed hash seed other than the random one of the run
# that made the outputs (tools/execute_notebooks.py). tests/test_determinism.py checks a kernel sees this.
CLOSED_PROXY = "http://127.0.0.1:9"
KERNEL_CONDITIONS = {
    data.OFFLINE_ENV: "1",
    "PYTHONHASHSEED": "4242",
    **{
        name: CLOSED_PROXY
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    },
    "NO_PROXY": "127.0.0.1,localhost,::1",  # the unit tests' own local HTTP server stays reachable
    "no_proxy": "127.0.0.1,localhost,::1",
}


def pytest_configure(config):
    """Fetch the downloadable text once if this machine may download (a first local run), then cut the network
    off for everything the session starts."""
    try:
        if not data.offline_mode():
            data.fetch("the-verdict.txt", progress=False)
    except (OSError, ValueError):
        pass  # the tests that need the file, or the setting, say what is wrong
    os.environ.update(KERNEL_CONDITIONS)


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Every connection outside loopback is refused for the whole session, module- and session-scoped
    fixtures included (they run before any function-scoped fixture): the course must work offline."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _loopback_only_connect)
        patch.setattr(socket, "getaddrinfo", _loopback_getaddrinfo)
        yield


def data_is_required() -> bool:
    """On CI (``$CI``, set by GitHub Actions) or with ``COURSE_REQUIRE_DATA=1``, missing data fails a test."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")
        for name in ("CI", "COURSE_REQUIRE_DATA")
    )


def fetch_or_skip(name: str) -> Path:
    """``fetch(name)``; without the file, skip locally but fail on CI, where a skip would hide a gap."""
    try:
        return data.fetch(name, progress=False)
    except OSError as error:
        message = f"{name} is not available offline ({data.MIRROR_ENV}={os.environ.get(data.MIRROR_ENV)!r}): {error}"
        if data_is_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def isolated_data(tmp_path, monkeypatch):
    """utils.data with an empty committed folder, an empty cache and no mirror: the real data/ is never touched."""
    committed = tmp_path / "committed"
    cache = tmp_path / "cache"
    committed.mkdir()
    monkeypatch.setattr(data, "DATA_DIR", committed)
    monkeypatch.setenv(data.CACHE_ENV, str(cache))
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    monkeypatch.delenv(data.OFFLINE_ENV, raising=False)
    return tmp_path


PAYLOAD = b"The quick brown fox jumps over the lazy dog.\n" * 2000


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.requests.append(self.path)
        if self.path == "/good":
            self._send(PAYLOAD)
        elif self.path == "/wrong-bytes":
            self._send(PAYLOAD.replace(b"fox", b"cat"))
        elif self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 3])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        elif self.path == "/hang":
            time.sleep(5)
        elif self.path == "/endless":  # no Content-Length, and it never stops
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(PAYLOAD)
            except OSError:
                pass
        elif self.path == "/announces-too-much":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * len(PAYLOAD)))
            self.end_headers()
        elif self.path == "/trickle":  # one byte every 20 ms: alive, but far too slow
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            try:
                for byte in PAYLOAD:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.02)
            except OSError:
                pass
        else:
            self.send_error(404)

    def _send(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A server on 127.0.0.1 with /good, /wrong-bytes, /truncated, /hang, /endless, /announces-too-much,
    /trickle; yields its base URL and request log."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.requests
    server.shutdown()
    server.server_close()


@pytest.fixture
def payload_entry(monkeypatch):
    """Register a test file 'payload.txt' whose URL is chosen by the test; returns a function url -> entry."""

    def register(url: str, algorithm: str = "sha256") -> data.DataFile:
        entry = data.DataFile(
            filename="payload.txt",
            url=url,
            checksum=hashlib.new(algorithm, PAYLOAD).hexdigest(),
            size=len(PAYLOAD),
            licence="test",
            description="test payload",
            algorithm=algorithm,
        )
        monkeypatch.setitem(data.REGISTRY, "payload.txt", entry)
        return entry

    return register


def write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
