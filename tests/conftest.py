"""Shared fixtures: an isolated data folder, a local HTTP server, and no network beyond 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import time
from pathlib import Path

import pytest

import utils.data as data

_real_connect = socket.socket.connect


def _loopback_only_connect(sock, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and sock.family != socket.AF_UNIX:
        raise ConnectionRefusedError(f"tests may not reach the network (tried {address!r})")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Unit tests run with every connection outside loopback refused: the course must work offline."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only_connect)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_getaddrinfo)


_real_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1", None):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


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
    """A server on 127.0.0.1 with /good, /wrong-bytes, /truncated, /hang; yields its base URL and request log."""
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
            filename="payload.txt", url=url, checksum=hashlib.new(algorithm, PAYLOAD).hexdigest(),
            size=len(PAYLOAD), licence="test", description="test payload", algorithm=algorithm,
        )
        monkeypatch.setitem(data.REGISTRY, "payload.txt", entry)
        return entry

    return register


def write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
