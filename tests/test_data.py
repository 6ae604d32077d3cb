"""utils.data.fetch: lookup order, checksums, atomic downloads and clear failures, all offline."""

from __future__ import annotations

import os
import time

import pytest
from conftest import PAYLOAD, write

import utils.data as data
from utils.data import DataFileError, UnknownDataFileError, fetch


def leftovers(folder):
    """Files in a folder other than a verified payload: partial downloads must never stay behind."""
    return sorted(p.name for p in folder.iterdir() if p.name != "payload.txt") if folder.exists() else []


def test_real_registry_entries_are_complete():
    for name, entry in data.REGISTRY.items():
        assert entry.filename == name
        assert entry.url.startswith("https://")
        assert len(entry.checksum) == {"sha256": 64, "md5": 32}[entry.algorithm]
        assert entry.size > 0 and entry.licence


def test_committed_gpt2_ranks_are_found_and_verified():
    path = fetch("gpt2.tiktoken")
    assert path == data.REPO_ROOT / "data" / "gpt2.tiktoken"
    assert data.file_checksum(path) == data.REGISTRY["gpt2.tiktoken"].checksum


def test_unknown_name_lists_known_names():
    with pytest.raises(KeyError) as info:
        fetch("the-verdict.pdf")
    assert isinstance(info.value, UnknownDataFileError)
    assert "the-verdict.pdf" in str(info.value) and "the-verdict.txt" in str(info.value)


def test_committed_file_wins(isolated_data, payload_entry, http_server):
    url, requests = http_server
    payload_entry(url + "/good")
    committed = write(data.DATA_DIR / "payload.txt", PAYLOAD)
    assert fetch("payload.txt") == committed
    assert requests == []


def test_download_verifies_and_caches(isolated_data, payload_entry, http_server):
    url, requests = http_server
    payload_entry(url + "/good")
    path = fetch("payload.txt", progress=False)
    assert path == data.cache_dir() / "payload.txt"
    assert path.read_bytes() == PAYLOAD
    assert leftovers(path.parent) == []
    # Second call: served from the cache, no new request.
    assert fetch("payload.txt") == path
    assert requests == ["/good"]


def test_md5_registry_entries_are_verified_too(isolated_data, payload_entry, http_server):
    url, _ = http_server
    payload_entry(url + "/good", algorithm="md5")
    assert fetch("payload.txt", progress=False).read_bytes() == PAYLOAD


def test_mirror_hit_needs_no_network(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")
    mirror = isolated_data / "mirror"
    write(mirror / "payload.txt", PAYLOAD)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    assert fetch("payload.txt") == mirror / "payload.txt"


def test_relative_mirror_is_taken_from_the_repo_root(isolated_data, payload_entry, monkeypatch, tmp_path):
    payload_entry("http://127.0.0.1:9/unreachable")
    mirror = isolated_data / "mirror"
    write(mirror / "payload.txt", PAYLOAD)
    monkeypatch.setattr(data, "REPO_ROOT", isolated_data)
    monkeypatch.chdir(tmp_path / "committed")
    monkeypatch.setenv(data.MIRROR_ENV, "mirror")
    assert fetch("payload.txt") == mirror / "payload.txt"


def test_corrupt_mirror_copy_is_not_used(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")
    mirror = isolated_data / "mirror"
    write(mirror / "payload.txt", PAYLOAD[:-1] + b"!")
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    with pytest.raises(DataFileError, match=r"but it is wrong sha256: not used \(left as it is\)"):
        fetch("payload.txt", progress=False)
    assert (mirror / "payload.txt").read_bytes() == PAYLOAD[:-1] + b"!"


def test_corrupt_cache_is_replaced(isolated_data, payload_entry, http_server):
    url, requests = http_server
    payload_entry(url + "/good")
    cached = write(data.cache_dir() / "payload.txt", PAYLOAD[:100])  # a truncated earlier download
    assert fetch("payload.txt", progress=False) == cached
    assert cached.read_bytes() == PAYLOAD
    assert requests == ["/good"]


def test_corrupt_cache_is_reported_and_kept_when_offline(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")
    cached = write(data.cache_dir() / "payload.txt", b"garbage")
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    with pytest.raises(DataFileError, match=r"7 bytes, not 90,000: not used \(it will be replaced"):
        fetch("payload.txt")
    assert cached.read_bytes() == b"garbage"  # replaced only by a verified download, never deleted


def test_wrong_bytes_leave_nothing_behind(isolated_data, payload_entry, http_server):
    url, _ = http_server
    entry = payload_entry(url + "/wrong-bytes")
    with pytest.raises(DataFileError) as info:
        fetch("payload.txt", progress=False)
    assert "not the expected" in str(info.value) and entry.checksum in str(info.value)
    assert leftovers(data.cache_dir()) == []
    assert not (data.cache_dir() / "payload.txt").exists()


def test_interrupted_download_leaves_nothing_and_next_run_recovers(isolated_data, payload_entry, http_server):
    url, _ = http_server
    payload_entry(url + "/truncated")
    with pytest.raises(DataFileError):
        fetch("payload.txt", progress=False)
    assert not (data.cache_dir() / "payload.txt").exists()
    assert leftovers(data.cache_dir()) == []
    payload_entry(url + "/good")
    assert fetch("payload.txt", progress=False).read_bytes() == PAYLOAD


def test_hanging_server_times_out_within_seconds(isolated_data, payload_entry, http_server):
    url, _ = http_server
    payload_entry(url + "/hang")
    start = time.perf_counter()
    with pytest.raises(DataFileError):
        fetch("payload.txt", timeout=0.5, progress=False)
    assert time.perf_counter() - start < 4
    assert leftovers(data.cache_dir()) == []


def test_no_network_error_says_what_to_do(isolated_data, payload_entry):
    entry = payload_entry("https://example.invalid/payload.txt")
    start = time.perf_counter()
    with pytest.raises(DataFileError) as info:
        fetch("payload.txt", progress=False)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert isinstance(info.value, OSError)
    for expected in ("payload.txt", entry.url, entry.checksum, str(data.cache_dir() / "payload.txt"),
                     data.MIRROR_ENV):
        assert expected in message


def test_offline_setting_forbids_downloads(isolated_data, payload_entry, http_server, monkeypatch):
    url, requests = http_server
    payload_entry(url + "/good")
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    with pytest.raises(DataFileError, match=data.OFFLINE_ENV):
        fetch("payload.txt")
    assert requests == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_cache_gives_a_clear_error(isolated_data, payload_entry, http_server):
    url, _ = http_server
    payload_entry(url + "/good")
    data.cache_dir().mkdir()
    data.cache_dir().chmod(0o500)
    try:
        with pytest.raises(DataFileError, match=data.CACHE_ENV):
            fetch("payload.txt", progress=False)
    finally:
        data.cache_dir().chmod(0o700)


def test_unwritable_cache_gives_a_clear_error(isolated_data, payload_entry, http_server, monkeypatch):
    # Works as root too: the "folder" is a regular file, so nothing can be created inside it.
    url, _ = http_server
    payload_entry(url + "/good")
    blocker = write(isolated_data / "not-a-folder", b"")
    monkeypatch.setenv(data.CACHE_ENV, str(blocker))
    with pytest.raises(DataFileError) as info:
        fetch("payload.txt", progress=False)
    assert data.CACHE_ENV in str(info.value) and "payload.txt" in str(info.value)


def test_full_disk_leaves_nothing_behind(isolated_data, payload_entry, http_server, monkeypatch):
    url, _ = http_server
    payload_entry(url + "/good")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self._file = real_fdopen(handle, "wb")

        def write(self, block):
            raise OSError(28, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._file.close()

    monkeypatch.setattr(data.os, "fdopen", lambda handle, mode: FullDisk(handle))
    with pytest.raises(DataFileError, match="No space left"):
        fetch("payload.txt", progress=False)
    assert leftovers(data.cache_dir()) == []


def test_the_verdict_is_registered_with_the_published_checksum():
    entry = data.REGISTRY["the-verdict.txt"]
    assert entry.size == 20_479
    assert entry.checksum == "b41e41a68f0398a3154ae69e2e4c0e2694e17fe0d66730536837f1b01935b31f"
