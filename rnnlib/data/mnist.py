"""MNIST digits as NumPy arrays, with no deep-learning framework and nothing unpickled.

The chapters on sequence classification read each 28x28 image as 28 steps of 28 pixels.
``load(split)`` returns the images and labels of the standard IDX files; they are looked
for in the folder ``find_dir`` names: ``data_dir`` when given, else
``$RNNLIB_DATA/mnist`` (``RNNLIB_DATA`` names the folder that holds every data set of
the book, each in its own subfolder), else a per-user cache, ``~/.cache/rnnlib/mnist``.

A missing file is downloaded into that same folder, trying each of ``MIRRORS`` in turn,
within ``rnnlib.data.download``'s per-read timeout and per-file deadline. Every file,
found or downloaded, is checked against its known size and sha256 before it is used; a
damaged file is reported and left alone, never used or replaced; a download takes its
final name only after it passed (``rnnlib.data.download`` says how). NumPy and the
standard library only.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np

from rnnlib.data import download
from rnnlib.data.download import DATA_ENV, BadFileError, DownloadError

__all__ = [
    "DATA_ENV",
    "FILES",
    "MIRRORS",
    "NAME",
    "SPLITS",
    "BadFileError",
    "DownloadError",
    "as_sequences",
    "files",
    "find_dir",
    "load",
]

NAME = "mnist"  # the data set's folder under $RNNLIB_DATA and the cache
# Tried in this order; each holds the four files under their standard names.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
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


def find_dir(data_dir=None) -> Path:
    """The folder ``load`` uses: ``data_dir``, else ``$RNNLIB_DATA/mnist``, else the
    cache (``rnnlib.data.download.find_dir``)."""
    return download.find_dir(NAME, data_dir)


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
        size, digest = FILES[name]
        if not path.exists():
            mirrors = MIRRORS if mirrors is None else mirrors
            if isinstance(mirrors, str):
                mirrors = (mirrors,)
            urls = [mirror.rstrip("/") + "/" + name for mirror in mirrors]
            download.download(folder, name, urls, size, digest, _by_hand(folder))
        download.verify(path, size, digest, f"the MNIST file {name}")
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
        f"{names}\nor pass data_dir= a folder that holds them, or set {DATA_ENV} to "
        f"a folder whose subfolder {NAME}/ holds them."
    )


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
