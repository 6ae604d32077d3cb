"""Named data files for the course, offline first.

``fetch(name)`` returns a local path to a registered file, trying in order:

1. the file committed in ``data/`` (for example ``gpt2.tiktoken``);
2. a previously downloaded copy cached in ``data/`` (git-ignored);
3. a mirror folder named by the environment variable ``COURSE_DATA_MIRROR``;
4. a download from the file's URL, with a timeout and a progress bar.

Every candidate is checked against the registered checksum before it is used. Downloads are written to a
temporary file in the cache folder and renamed into place only after the checksum matches, so an
interrupted or corrupt download never leaves a file that looks valid. When nothing works, one
:class:`DataFileError` says which file, from where, with which checksum, and where to put it by hand.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
MIRROR_ENV = "COURSE_DATA_MIRROR"
CACHE_ENV = "COURSE_DATA_CACHE"
OFFLINE_ENV = "COURSE_OFFLINE"

_CHUNK = 1 << 20


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
    ),
    "gpt2.tiktoken": DataFile(
        filename="gpt2.tiktoken",
        url="https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
        checksum="306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
        size=835_554,
        licence="MIT (OpenAI; as shipped in openai-whisper)",
        description="GPT-2 byte-pair-encoding ranks in tiktoken's format",
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
    """Folder where downloads are cached: ``$COURSE_DATA_CACHE`` if set, else the repo's ``data/``."""
    override = os.environ.get(CACHE_ENV)
    return Path(override).expanduser() if override else DATA_DIR


def _is_valid(path: Path, entry: DataFile) -> bool:
    if not path.is_file() or path.stat().st_size != entry.size:
        return False
    return file_checksum(path, entry.algorithm) == entry.checksum


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

    Looks in the committed ``data/`` folder, the download cache, the mirror folder named by
    ``$COURSE_DATA_MIRROR``, and finally downloads from the registered URL (skipped when
    ``$COURSE_OFFLINE`` is set). A cached file with the wrong checksum is deleted and replaced.

    Raises:
        UnknownDataFileError: (a KeyError) ``name`` is not registered (the message lists the names that are).
        DataFileError: no verified copy could be found or downloaded; the message says where to put
            the file by hand.
    """
    if name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownDataFileError(f"Unknown data file {name!r}. Known files: {known}.")
    entry = REGISTRY[name]

    committed = DATA_DIR / entry.filename
    if _is_valid(committed, entry):
        return committed

    cached = cache_dir() / entry.filename
    if cached != committed and _is_valid(cached, entry):
        return cached
    if cached.exists() and not _is_valid(cached, entry):
        # A truncated or corrupt copy: never use it, replace it below.
        cached.unlink()

    mirror = os.environ.get(MIRROR_ENV)
    mirror_note = ""
    if mirror:
        candidate = _mirror_folder(mirror) / entry.filename
        if _is_valid(candidate, entry):
            return candidate
        mirror_note = (
            f"  The mirror folder {MIRROR_ENV}={mirror} has no valid copy "
            f"({'wrong checksum' if candidate.exists() else 'missing'}).\n"
        )

    if os.environ.get(OFFLINE_ENV):
        raise DataFileError(
            f"{entry.filename} is not available offline ({OFFLINE_ENV} is set, so nothing was downloaded).\n"
            + mirror_note
            + _manual_instructions(entry, cached)
        )

    try:
        _download(entry, cached, timeout=timeout, progress=progress)
    except DataFileError as error:
        raise DataFileError(f"{error}\n" + mirror_note + _manual_instructions(entry, cached)) from None
    return cached


def _download(entry: DataFile, target: Path, *, timeout: float, progress: bool) -> None:
    """Download ``entry`` to ``target`` atomically: temp file, verify, rename."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{entry.filename}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise DataFileError(
            f"Cannot write {entry.filename} into the cache folder {target.parent}: {error.strerror}. "
            f"Make the folder writable or set {CACHE_ENV} to a writable folder."
        ) from None
    temp_path = Path(temp_name)
    digest = hashlib.new(entry.algorithm)
    try:
        with os.fdopen(handle, "wb") as out:
            request = urllib.request.Request(entry.url, headers={"User-Agent": "token-embeddings-course"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or entry.size)
                bar = _progress_bar(entry.filename, total, enabled=progress)
                try:
                    for block in iter(lambda: response.read(_CHUNK), b""):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
                finally:
                    bar.close()
        if digest.hexdigest() != entry.checksum:
            raise DataFileError(
                f"Downloaded {entry.filename} but its {entry.algorithm} is {digest.hexdigest()}, "
                f"not the expected {entry.checksum}: the server sent different bytes. Nothing was kept."
            )
        os.replace(temp_path, target)
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as error:
        reason = getattr(error, "reason", error)
        raise DataFileError(f"Could not download {entry.filename}: {reason}.") from None
    except OSError as error:
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(
            f"Could not save {entry.filename} into {target.parent}: {error.strerror or error}. "
            f"Free some space or set {CACHE_ENV} to another folder."
        ) from None
    finally:
        temp_path.unlink(missing_ok=True)


def _progress_bar(label: str, total: int, *, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label, disable=not enabled)

