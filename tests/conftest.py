"""Shared fixtures: an isolated data folder, a local HTTP server, and no network beyond 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import json
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


# The downloadable files the tests and notebooks read (gpt2.tiktoken is committed, so it is never missing).
NEEDED_DATA = ("the-verdict.txt",)
# Set by the controlling process for pytest-xdist's workers (they inherit the environment), so that only one
# process probes the data and every worker agrees: JSON {file name: the message saying what is missing}.
_MISSING_ENV = "_COURSE_TESTS_MISSING_DATA"
MISSING_DATA: dict[str, str] = {}


def data_is_required() -> bool:
    """On CI (``$CI``, set by GitHub Actions) or with ``COURSE_REQUIRE_DATA=1``, missing data fails a test."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")
        for name in ("CI", "COURSE_REQUIRE_DATA")
    )


def missing_data_message(name: str, error: Exception) -> str:
    """One message for a data file the run lacks: the file, its URL, ``COURSE_DATA_MIRROR`` and the cause."""
    entry = data.REGISTRY[name]
    consequence = (
        "the tests and notebooks that read it fail (CI or COURSE_REQUIRE_DATA is set)"
        if data_is_required()
        else "the tests and notebooks that read it are skipped"
    )
    cause = str(error).splitlines()[0]
    return (
        f"{name} is missing, so {consequence}. Download it from\n"
        f"    {entry.url}\n"
        f"  into {data.DATA_DIR}, or set {data.MIRROR_ENV} to a folder that holds it.\n"
        f"  ({type(error).__name__}: {cause})"
    )


def _probe_data() -> dict[str, str]:
    """Fetch each needed file once (downloading it when this machine may); the messages of those missing."""
    missing = {}
    for name in NEEDED_DATA:
        try:
            data.fetch(name, progress=False)
        except data.DataFileError as error:
            missing[name] = missing_data_message(name, error)
    return missing


def pytest_configure(config):
    """Fetch the downloadable text once if this machine may download (a first local run), then cut the network
    off for everything the session starts. What is still missing is said once, in the report's header."""
    global MISSING_DATA
    if _MISSING_ENV in os.environ:  # an xdist worker: the controller has probed already
        MISSING_DATA = json.loads(os.environ[_MISSING_ENV])
    else:
        try:
            MISSING_DATA = _probe_data()
        except ValueError:
            MISSING_DATA = {}  # an unreadable COURSE_OFFLINE: the tests of that setting say what is wrong
        os.environ[_MISSING_ENV] = json.dumps(MISSING_DATA)
    os.environ.update(KERNEL_CONDITIONS)


def pytest_report_header(config):
    return [f"MISSING DATA: {message}" for message in MISSING_DATA.values()]


def pytest_terminal_summary(terminalreporter):
    for message in MISSING_DATA.values():
        terminalreporter.write_sep("=", "missing data", yellow=True)
        terminalreporter.write_line(message)


def _needs_missing_data(text: str) -> str | None:
    return next((name for name in MISSING_DATA if name in text), None)


def pytest_collection_modifyitems(config, items):
    """Without a needed file, the notebooks that read it are skipped locally (on CI they run and fail)."""
    if not MISSING_DATA or data_is_required():
        return
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            name = _needs_missing_data(path.read_text(encoding="utf-8"))
            if name:
                item.add_marker(pytest.mark.skip(reason=f"{name} is missing (see the message at the end)"))


def _caused_by_missing_data(longrepr) -> str | None:
    text = str(longrepr)
    return _needs_missing_data(text) if "DataFileError" in text else None


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A test module that reads a missing file at import is skipped locally; on CI it fails with the message."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and MISSING_DATA:
        name = _caused_by_missing_data(report.longrepr)
        if name and data_is_required():
            report.longrepr = MISSING_DATA[name]
        elif name:
            report.outcome = "skipped"
            report.longrepr = (
                str(collector.path),
                None,
                f"Skipped: {name} is missing (see the message at the end)",
            )
            report.result = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that fails because a needed file is missing is skipped locally; on CI it fails with the message."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None and MISSING_DATA:
        name = _caused_by_missing_data(call.excinfo.exconly())
        if name and data_is_required():
            report.longrepr = MISSING_DATA[name]
        elif name:
            report.outcome = "skipped"
            report.longrepr = (
                str(item.path),
                None,
                f"Skipped: {name} is missing (see the message at the end)",
            )


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Every connection outside loopback is refused for the whole session, module- and session-scoped
    fixtures included (they run before any function-scoped fixture): the course must work offline."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _loopback_only_connect)
        patch.setattr(socket, "getaddrinfo", _loopback_getaddrinfo)
        yield


def fetch_or_skip(name: str) -> Path:
    """``fetch(name)``; without the file, skip locally but fail on CI, where a skip would hide a gap."""
    try:
        return data.fetch(name, progress=False)
    except OSError as error:
        if data_is_required():
            pytest.fail(MISSING_DATA.get(name) or missing_data_message(name, error))
        pytest.skip(f"{name} is missing (see the message at the end)" if name in MISSING_DATA else str(error))


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
