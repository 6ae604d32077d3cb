"""One bounded, atomic download of a registered data file, as :func:`utils.data.fetch` needs it.

The bytes go to a partial file of this process, ``.NAME.HOST.PID.RANDOM.part`` next to the target, and are
renamed into place only after the checksum matches, so a crash never leaves a file that looks valid. A
download stops when the server sends more than the registered size, or when fewer than :data:`MIN_RATE`
bytes per second arrive for :data:`SLOW_WINDOW` seconds. Partial files of processes that are gone (killed,
a restarted kernel) are removed by the next download of the same file.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)

MIN_RATE = 4 * 1024  # bytes per second: slower than this for SLOW_WINDOW seconds and the download stops
SLOW_WINDOW = 30.0  # seconds
STALE_AFTER = 10 * 60.0  # seconds without a write after which any partial file counts as abandoned
_CHUNK = 1 << 20
_HOST = socket.gethostname().replace(".", "_") or "host"


class DownloadError(OSError):
    """A download failed; the message says why (network, too large, too slow, wrong bytes, disk)."""


def partial_files(target: Path) -> list[Path]:
    """The partial downloads of ``target`` in its folder, from any process."""
    if not target.parent.is_dir():
        return []
    return sorted(target.parent.glob(f".{target.name}.*.part"))


def _is_abandoned(part: Path, now: float) -> bool:
    try:
        if now - part.stat().st_mtime > STALE_AFTER:
            return True  # nobody has written to it for minutes, whoever started it
    except FileNotFoundError:
        return False  # its owner finished or cleaned it up meanwhile
    host, pid, _ = _owner(part)
    if host != _HOST or os.name != "posix" or not pid.isdigit():
        return False  # another machine's or an old-style file: only its age tells
    try:
        os.kill(int(pid), 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists but belongs to another account
    return False


def _owner(part: Path) -> tuple[str, str, str]:
    """(host, pid, random) from ``.NAME.HOST.PID.RANDOM.part``; empty strings when the name has another form."""
    fields = part.name[: -len(".part")].rsplit(".", 3)
    return (fields[1], fields[2], fields[3]) if len(fields) == 4 else ("", "", "")


def remove_abandoned_partials(target: Path) -> list[Path]:
    """Delete the partial downloads of ``target`` whose process is gone; returns what was removed."""
    now = time.time()
    removed = []
    for part in partial_files(target):
        if _is_abandoned(part, now):
            try:
                part.unlink()
                removed.append(part)
            except FileNotFoundError:
                pass  # another process removed it first
            except OSError:
                pass  # not ours to remove (another account's folder): harmless, it is hidden
    return removed


def open_partial(target: Path) -> tuple[int, Path]:
    """Create this process's partial file; mode 0666 minus the umask, like any file a program saves."""
    name = f".{target.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}.part"
    path = target.parent / name
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o666), path


def download(
    url: str, target: Path, *, size: int, checksum: str, algorithm: str, timeout: float, progress: bool
) -> None:
    """Download ``url`` to ``target`` (verified, atomic, bounded); :class:`DownloadError` on any failure."""
    label = target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_partials(target)
    handle, partial = open_partial(target)
    digest = hashlib.new(algorithm)
    received = 0
    try:
        with os.fdopen(handle, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": "token-embeddings-course"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                announced = int(response.headers.get("Content-Length") or size)
                if announced > size:
                    raise DownloadError(
                        f"Stopped downloading {label}: the server announced {announced:,} bytes, "
                        f"more than the registered {size:,}. Nothing was kept."
                    )
                bar = _progress_bar(label, size, enabled=progress)
                window_start, window_bytes = time.monotonic(), 0
                try:
                    # read1 returns whatever has arrived, so a trickling server cannot hold one read forever.
                    while block := response.read1(min(_CHUNK, size + 1 - received)):
                        received += len(block)
                        if received > size:
                            raise DownloadError(
                                f"Stopped downloading {label}: the server sent more than the "
                                f"registered {size:,} bytes. Nothing was kept."
                            )
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
                        window_bytes += len(block)
                        elapsed = time.monotonic() - window_start
                        if elapsed >= SLOW_WINDOW:
                            if window_bytes < MIN_RATE * elapsed:
                                raise DownloadError(
                                    f"Stopped downloading {label}: slower than {MIN_RATE / 1024:g} KiB/s for "
                                    f"{SLOW_WINDOW:g} s ({received:,} of {size:,} bytes arrived). Nothing was "
                                    "kept; retry on a faster network."
                                )
                            window_start, window_bytes = time.monotonic(), 0
                finally:
                    bar.close()
        if digest.hexdigest() != checksum:
            raise DownloadError(
                f"Downloaded {label} but its {algorithm} is {digest.hexdigest()}, not the expected "
                f"{checksum}: the server sent different bytes. Nothing was kept."
            )
        os.replace(partial, target)
    except DownloadError:
        raise
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(
            f"Could not download {label}: {reason} ({received:,} of {size:,} bytes arrived)."
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def _progress_bar(label: str, total: int, *, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label, disable=not enabled)
