"""Named data files for the course, offline first, and never at the cost of a file it did not write.

``fetch(name)`` returns a local path to a registered file, trying in order:

1. the file in ``data/``: committed (``gpt2.tiktoken``) or saved there by hand (``the-verdict.txt``);
2. the download cache: ``$COURSE_DATA_CACHE`` if set, else ``data/.cache/`` (git-ignored);
3. a mirror folder named by the environment variable ``COURSE_DATA_MIRROR``;
4. a download from the file's URL into the cache (unless ``COURSE_OFFLINE`` is on), see :mod:`utils.download`.

Every candidate is checked against the registered size and checksum. Files in ``data/`` and in the mirror
are only ever read: a wrong one is reported, never deleted or rewritten. A text file whose only difference
is Windows line endings (a ``core.autocrlf`` checkout) is accepted: fetch verifies it with the line endings
normalised and returns a normalised copy from the cache. A corrupt cached copy is replaced atomically by the
next verified download. When nothing works, one :class:`DataFileError` says which file, what was found
where, the checksum, and where to put the file by hand.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)
from . import download as _download
from .download import DownloadError
from .validation import check_positive_number, check_str

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
MIRROR_ENV = "COURSE_DATA_MIRROR"
CACHE_ENV = "COURSE_DATA_CACHE"
OFFLINE_ENV = "COURSE_OFFLINE"

_CHUNK = 1 << 20
_ON, _OFF = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


class DataFileError(OSError):
    """A course data file could not be found, downloaded or verified."""


class UnknownDataFileError(KeyError):
    """A name that is not in the registry; the message lists the names that are."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


@dataclass(frozen=True)
class DataFile:
    """One registered file: where it comes from and how to recognise the right bytes."""

    filename: str
    url: str
    checksum: str
    size: int
    licence: str
    description: str
    algorithm: str = "sha256"
    text: bool = False  # a text file: a copy with CRLF line endings is recognised too

    @property
    def checksum_label(self) -> str:
        return f"{self.algorithm} {self.checksum}"


_GENSIM_DATA = "https://github.com/RaRe-Technologies/gensim-data/releases/download/{0}/{0}.gz"

REGISTRY: dict[str, DataFile] = {
    "the-verdict.txt": DataFile(
        filename="the-verdict.txt",
        url="https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch02/01_main-chapter-code/the-verdict.txt",
        checksum="b41e41a68f0398a3154ae69e2e4c0e2694e17fe0d66730536837f1b01935b31f",
        size=20_479,
        licence="public domain (Edith Wharton, 1908)",
        description='"The Verdict", the corpus of chapter 2 of Build a Large Language Model (From Scratch)',
        text=True,
    ),
    "gpt2.tiktoken": DataFile(
        filename="gpt2.tiktoken",
        url="https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
        checksum="306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
        size=835_554,
        licence="MIT (OpenAI; as shipped in openai-whisper)",
        description="GPT-2 byte-pair-encoding ranks in tiktoken's format",
        text=True,
    ),
    "word2vec-google-news-300.gz": DataFile(
        filename="word2vec-google-news-300.gz",
        url=_GENSIM_DATA.format("word2vec-google-news-300"),
        checksum="a5e5354d40acb95f9ec66d5977d140ef",
        algorithm="md5",
        size=1_743_563_840,
        licence="Apache-2.0 (Google word2vec release)",
        description="word2vec trained on Google News (100B words), 3M words x 300, binary word2vec format",
    ),
    "glove-wiki-gigaword-100.gz": DataFile(
        filename="glove-wiki-gigaword-100.gz",
        url=_GENSIM_DATA.format("glove-wiki-gigaword-100"),
        checksum="40ec481866001177b8cd4cb0df92924f",
        algorithm="md5",
        size=134_300_434,
        licence="PDDL (GloVe, Stanford NLP)",
        description="GloVe 6B (Wikipedia 2014 + Gigaword 5), 400k words x 100, text word2vec format",
    ),
    "glove-wiki-gigaword-300.gz": DataFile(
        filename="glove-wiki-gigaword-300.gz",
        url=_GENSIM_DATA.format("glove-wiki-gigaword-300"),
        checksum="29e9329ac2241937d55b852e8284e89b",
        algorithm="md5",
        size=394_362_229,
        licence="PDDL (GloVe, Stanford NLP)",
        description="GloVe 6B (Wikipedia 2014 + Gigaword 5), 400k words x 300, text word2vec format",
    ),
}


def file_checksum(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks so large files need little memory."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Folder where downloads are cached: ``$COURSE_DATA_CACHE`` if set, else ``data/.cache/`` (git-ignored)."""
    override = os.environ.get(CACHE_ENV)
    return Path(override).expanduser() if override else DATA_DIR / ".cache"


def offline_mode() -> bool:
    """Whether ``$COURSE_OFFLINE`` forbids downloads: 1/true/yes/on do, 0/false/no/off/empty/unset do not.

    Raises:
        ValueError: any other value (a typo must not silently switch downloads on or off).
    """
    setting = os.environ.get(OFFLINE_ENV, "").strip().lower()
    if setting in _ON or setting in _OFF:
        return setting in _ON
    raise ValueError(
        f"{OFFLINE_ENV}={os.environ[OFFLINE_ENV]!r} is not understood. Set {OFFLINE_ENV}=1 "
        f"(or true/yes/on) to forbid downloads, {OFFLINE_ENV}=0 (or false/no/off, or unset it) "
        "to allow them."
    )


def _inspect(path: Path, entry: DataFile) -> str:
    """``"ok"``, ``"crlf"`` (right bytes once line endings are normalised), or what is wrong with ``path``."""
    try:
        if not path.is_file():
            return "missing"
        size = path.stat().st_size
        if size == entry.size and file_checksum(path, entry.algorithm) == entry.checksum:
            return "ok"
        if entry.text and size <= 2 * entry.size:
            normalised = path.read_bytes().replace(b"\r\n", b"\n")
            if hashlib.new(entry.algorithm, normalised).hexdigest() == entry.checksum:
                return "crlf"
        return f"wrong {entry.algorithm}" if size == entry.size else f"{size:,} bytes, not {entry.size:,}"
    except FileNotFoundError:
        return "missing"  # another process replaced or removed it while we looked
    except PermissionError:
        return "not readable by you (permission denied)"
    except OSError as error:
        return f"not readable ({error.strerror or error})"


def _normalised_copy(source: Path, entry: DataFile) -> Path:
    """A copy of ``source`` with LF line endings in the cache (``source`` itself is left as it is)."""
    target = cache_dir() / entry.filename
    if _inspect(target, entry) == "ok":
        return target
    content = source.read_bytes().replace(b"\r\n", b"\n")
    partial = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = _download.open_partial(target)
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(partial, target)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise DataFileError(
            f"{source} has Windows line endings (CRLF) and a copy with LF endings cannot be "
            f"written to {target.parent}: {error.strerror or error}. Set {CACHE_ENV} to a "
            "writable folder."
        ) from None
    return target


def _mirror_folder(setting: str) -> Path:
    """The mirror folder; a relative setting is taken from the current folder, else from the repo root."""
    folder = Path(setting).expanduser()
    if folder.is_absolute() or folder.is_dir():
        return folder
    return REPO_ROOT / folder


def _manual_instructions(entry: DataFile, target: Path) -> str:
    return (
        f"  file:     {entry.filename} ({entry.description})\n"
        f"  URL:      {entry.url}\n"
        f"  expected: {entry.checksum_label}, {entry.size:,} bytes\n"
        f"  To fix it by hand, download the file from the URL and save it as\n"
        f"      {target}\n"
        f"  or point the environment variable {MIRROR_ENV} at a folder that holds it."
    )


def fetch(name: str, *, timeout: float = 15.0, progress: bool = True) -> Path:
    """Return a verified local path to the registered data file ``name``.

    Looks in ``data/``, the download cache, the mirror folder named by ``$COURSE_DATA_MIRROR``, and
    finally downloads from the registered URL into the cache (not when ``$COURSE_OFFLINE`` is on).
    Nothing outside the cache is ever deleted or rewritten.

    Raises:
        UnknownDataFileError: (a KeyError) ``name`` is not registered (the message lists the names that are).
        DataFileError: no verified copy could be found or downloaded; the message says what was found
            where, and where to put the file by hand.
        ValueError: ``$COURSE_OFFLINE`` has a value that is neither on nor off, or ``timeout`` ≤ 0.
        TypeError: ``name`` is not a str, or ``timeout`` is not a number.
    """
    check_str(name, "name", example="the-verdict.txt")
    timeout = check_positive_number(timeout, "timeout")
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownDataFileError(f"Unknown data file {name!r}. Known files: {known}.")
    entry = REGISTRY[name]
    offline = offline_mode()

    candidates = [("data/", DATA_DIR / entry.filename), ("cache", cache_dir() / entry.filename)]
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        candidates.append((f"{MIRROR_ENV}={mirror}", _mirror_folder(mirror) / entry.filename))
    notes = []
    for where, path in candidates:
        state = _inspect(path, entry)
        if state == "ok":
            return path
        if state == "crlf":
            return _normalised_copy(path, entry)
        if state != "missing":
            kept = "it will be replaced by the next download" if where == "cache" else "left as it is"
            notes.append(f"  Found {path}, but it is {state}: not used ({kept}).\n")
        elif where.startswith(MIRROR_ENV):
            notes.append(f"  The mirror folder {where} has no {entry.filename}.\n")
    cached = cache_dir() / entry.filename
    if offline:
        raise DataFileError(
            f"{entry.filename} is not available offline ({OFFLINE_ENV} is set, so nothing "
            "was downloaded).\n" + "".join(notes) + _manual_instructions(entry, DATA_DIR / entry.filename)
        )
    try:
        _download.download(
            entry.url,
            cached,
            size=entry.size,
            checksum=entry.checksum,
            algorithm=entry.algorithm,
            timeout=timeout,
            progress=progress,
        )
    except DownloadError as error:
        raise DataFileError(
            f"{error}\n" + "".join(notes) + _manual_instructions(entry, DATA_DIR / entry.filename)
        ) from None
    except OSError as error:
        if _inspect(cached, entry) == "ok":
            return cached  # another process put the verified file in place while ours failed (Windows)
        raise DataFileError(
            f"Cannot write {entry.filename} into the cache folder {cached.parent}: "
            f"{error.strerror or error}. Make the folder writable, free some space, or set "
            f"{CACHE_ENV} to another folder.\n"
            + "".join(notes)
            + _manual_instructions(entry, DATA_DIR / entry.filename)
        ) from None
    return cached
