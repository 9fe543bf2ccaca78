"""MNIST digits as NumPy arrays, with no deep-learning framework and nothing unpickled.

The chapters on sequence classification read each 28x28 image as 28 steps of 28 pixels.
``load(split)`` returns the images and labels of the standard IDX files; they are looked
for in, first to last:

1. ``data_dir``, when given;
2. the folder named by the environment variable ``RNNLIB_DATA``;
3. a per-user cache, ``$XDG_CACHE_HOME/rnnlib/mnist`` or ``~/.cache/rnnlib/mnist``.

A missing file is downloaded into that same folder (the first of the three that applies:
a learner who names a folder expects the data to land there), trying each of ``MIRRORS``
in turn. Every file, found or downloaded, is checked against its known size and sha256
before it is used (once per process, until its size or mtime changes); a damaged file is
reported and left alone, never used or replaced. A download goes to a temporary file
that takes its final name only after it passed, so a folder never holds a half-written
file under an MNIST name. NumPy, tqdm and the standard library only.
"""

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.request
import zlib
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rnnlib.config import show_progress

DATA_ENV = "RNNLIB_DATA"
# Tried in this order; each holds the four files under their standard names.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
TIMEOUT = 5.0  # seconds to connect, and for each read: offline fails fast, not never
# name: (size in bytes, sha256) of the gzipped files everyone distributes.
FILES = {
    "train-images-idx3-ubyte.gz": (
        9912422,
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    "train-labels-idx1-ubyte.gz": (
        28881,
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    "t10k-images-idx3-ubyte.gz": (
        1648877,
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        4542,
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}
# split: (images file, labels file, number of examples)
SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000),
}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049  # IDX: unsigned bytes, 3 dimensions / 1 dimension
SIDE = 28
_CHUNK = 1 << 16

_verified: dict[str, tuple[int, int]] = {}  # path -> (size, mtime_ns) when it passed


class BadFileError(ValueError):
    """A file under an MNIST name is not that file: wrong digest or malformed."""


class DownloadError(OSError):
    """No mirror delivered a file; the message says where to put the files by hand."""


def find_dir(data_dir=None) -> Path:
    """The folder ``load`` uses: ``data_dir``, else ``$RNNLIB_DATA``, else the cache.

    The lookup rule in one place, so a notebook can print where its data lives. The
    folder need not exist yet (a download creates it); "~" is expanded; a file is
    refused.
    """
    if data_dir is not None:
        if not isinstance(data_dir, (str, os.PathLike)) or str(data_dir) == "":
            raise ValueError(f"data_dir must be a folder path, got {data_dir!r}")
        where, path = "data_dir", Path(data_dir)
    elif os.environ.get(DATA_ENV, "").strip():
        where, path = DATA_ENV, Path(os.environ[DATA_ENV].strip())
    else:
        cache = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
        where, path = "the cache path", base / "rnnlib" / "mnist"
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(
            f"{where} must be a folder, got {str(path)!r}, which is a file"
        )
    return path


def _check_split(split) -> tuple[str, str, int]:
    if not isinstance(split, str) or split not in SPLITS:
        allowed = " or ".join(map(repr, SPLITS))
        raise ValueError(f"split must be {allowed}, got {split!r}")
    return SPLITS[split]


def files(split, data_dir=None, *, mirrors=None) -> tuple[Path, Path]:
    """Paths of the split's (images, labels) files, downloaded if missing, verified.

    For fetching the data ahead of a class, or checking it, without decoding it.
    ``mirrors`` replaces ``MIRRORS`` (base URLs, tried in turn) for this call.
    """
    images_name, labels_name, _ = _check_split(split)
    folder = find_dir(data_dir)
    paths = []
    for name in (images_name, labels_name):
        path = folder / name
        if not path.exists():
            _download(folder, name, MIRRORS if mirrors is None else mirrors)
        _verify(path)
        paths.append(path)
    return paths[0], paths[1]


def load(split, data_dir=None, *, mirrors=None) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of ``split``, "train" or "test", as new uint8 arrays.

    The chapters' classification data, without any framework's dataset API.
    Shapes: images (n, 28, 28) with pixels 0 (background) to 255 (ink), labels (n,) of
    digits 0-9; n is 60000 for "train" and 10000 for "test". Folders and downloads are
    as ``files`` and the module docstring say.
    """
    images_path, labels_path = files(split, data_dir, mirrors=mirrors)
    count = _check_split(split)[2]
    images = _read_idx(images_path, IMAGE_MAGIC, (count, SIDE, SIDE))
    labels = _read_idx(labels_path, LABEL_MAGIC, (count,))
    return images, labels


def as_sequences(images) -> np.ndarray:
    """Images (n, 28, 28) uint8 as float32 sequences (n, 28, 28) scaled to [0, 1].

    Each image is read as 28 steps (its rows, top to bottom) of 28 pixels each, which is
    what a recurrent cell takes: x[:, t] is row t of every image.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (SIDE, SIDE):
        raise ValueError(
            f"images must be uint8 of shape (n, {SIDE}, {SIDE}) as load returns, "
            f"got {images.dtype} of shape {images.shape}"
        )
    return images.astype(np.float32) / np.float32(255)


def _by_hand(folder: Path) -> str:
    names = "\n".join(f"  {name}" for name in FILES)
    return (
        f"To use MNIST without a download, copy these four files into {folder}:\n"
        f"{names}\nor set {DATA_ENV} (or pass data_dir=) to a folder that holds them."
    )


def _verify(path: Path) -> None:
    """Raise BadFileError unless ``path`` has its known size and sha256 (memoized)."""
    stat = path.stat()
    key, stamp = str(path.resolve()), (stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == stamp:
        return
    size, digest = FILES[path.name]
    with open(path, "rb") as f:
        actual = hashlib.file_digest(f, "sha256").hexdigest()
    if actual != digest or stat.st_size != size:
        raise BadFileError(
            f"{path} is damaged or not the MNIST file {path.name}:\n"
            f"  expected sha256 {digest} ({size} bytes)\n"
            f"  found    sha256 {actual} ({stat.st_size} bytes)\n"
            "It was not used. Delete it and load again to download a fresh copy, "
            "or replace it with a good one."
        )
    _verified[key] = stamp


def _download(folder: Path, name: str, mirrors) -> None:
    """Fetch ``name`` into ``folder`` from the first mirror that delivers it intact."""
    size, digest = FILES[name]
    if isinstance(mirrors, str):
        mirrors = (mirrors,)
    reasons = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        except OSError as error:
            message = f"cannot write into {folder}: {error}\n" + _by_hand(folder)
            raise DownloadError(message) from error
        try:
            with os.fdopen(fd, "wb") as out:
                actual = _copy(url, out, size, name)
            if actual != digest:
                raise BadFileError(f"sha256 {actual}, expected {digest}")
            os.chmod(tmp, 0o644)  # mkstemp made it private; this is public data
            os.replace(tmp, folder / name)
            stat = (folder / name).stat()
            _verified[str((folder / name).resolve())] = (stat.st_size, stat.st_mtime_ns)
            return
        except (OSError, ValueError, http.client.HTTPException) as error:
            reasons.append(f"  {url}: {type(error).__name__}: {error}")
        finally:
            Path(tmp).unlink(missing_ok=True)  # gone already after a success
    tried = "\n".join(reasons) or "  (no mirrors given)"
    raise DownloadError(
        f"could not download {name} into {folder}; tried:\n{tried}\n" + _by_hand(folder)
    )


def _copy(url: str, out, size: int, name: str) -> str:
    """Stream ``url`` into the open file ``out``; the sha256 of exactly ``size``."""
    sha = hashlib.sha256()
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        offered = response.headers.get("Content-Length")
        if offered is not None and offered.strip() != str(size):
            raise ValueError(f"server offers {offered} bytes, expected {size}")
        got = 0
        disable = not show_progress()
        with tqdm(
            total=size, unit="B", unit_scale=True, desc=name, disable=disable
        ) as bar:
            while got <= size and (chunk := response.read(_CHUNK)):
                out.write(chunk)
                sha.update(chunk)
                got += len(chunk)
                bar.update(len(chunk))
    if got != size:
        raise ValueError(f"received {got} bytes, expected {size}")
    return sha.hexdigest()


def _read_idx(path: Path, magic: int, shape: tuple[int, ...]) -> np.ndarray:
    """The uint8 array in gzipped IDX file ``path``; header and length are checked."""
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as error:
        raise BadFileError(f"{path} is not a readable gzip file: {error}") from error
    header = 4 * (1 + len(shape))
    if len(raw) < header:
        raise BadFileError(
            f"{path} holds {len(raw)} bytes, too short for an IDX header"
        )
    found = np.frombuffer(raw, ">u4", count=1 + len(shape))
    if found[0] != magic:
        raise BadFileError(f"{path} has magic number {found[0]}, expected {magic}")
    dims = tuple(int(d) for d in found[1:])
    if dims != shape:
        raise BadFileError(f"{path} has dimensions {dims}, expected {shape}")
    if len(raw) - header != np.prod(shape):
        raise BadFileError(
            f"{path} holds {len(raw) - header} bytes after its header, "
            f"but its dimensions {dims} need {int(np.prod(shape))}"
        )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape).copy()
