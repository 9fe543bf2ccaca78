"""Tiny Shakespeare: the 1,115,394 characters of Karpathy's char-rnn, as a string.

``load()`` returns the text of ``input.txt`` from the char-rnn repository
(``data/tinyshakespeare/input.txt``, public-domain Shakespeare), looked for in the
folder ``find_dir`` names: ``data_dir`` when given, else
``$RNNLIB_DATA/tinyshakespeare``, else the per-user cache
``~/.cache/rnnlib/tinyshakespeare``. A missing file is downloaded from ``URLS`` and,
found or downloaded, checked against its size and sha256 first
(``rnnlib.data.download``). ``split(text)`` cuts it as nanoGPT's ``prepare.py`` does:
the first 90 % to train on, the last 10 % to validate on (char-rnn's default keeps
95 % and 5 %). The standard library only.
"""

from pathlib import Path

from rnnlib.data import download
from rnnlib.data.download import DATA_ENV, BadFileError, DownloadError

__all__ = [
    "DATA_ENV",
    "FILE",
    "NAME",
    "SHA256",
    "SIZE",
    "TRAIN_FRACTION",
    "URLS",
    "BadFileError",
    "DownloadError",
    "file",
    "find_dir",
    "load",
    "split",
]

NAME = "tinyshakespeare"  # the data set's folder under $RNNLIB_DATA and the cache
FILE = "input.txt"
SIZE = 1115394  # bytes, and characters: the text is ASCII
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
URLS = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
    "input.txt",
)
TRAIN_FRACTION = 0.9


def find_dir(data_dir=None) -> Path:
    """The folder ``load`` uses: ``data_dir``, else ``$RNNLIB_DATA/tinyshakespeare``,
    else the cache (``rnnlib.data.download.find_dir``)."""
    return download.find_dir(NAME, data_dir)


def file(data_dir=None, *, urls=None) -> Path:
    """The path of ``input.txt``, downloaded if missing, verified.

    ``urls`` replaces ``URLS`` (full URLs of the file, tried in turn) for this call.
    """
    folder = find_dir(data_dir)
    path = folder / FILE
    if not path.exists():
        urls = URLS if urls is None else urls
        download.download(folder, FILE, urls, SIZE, SHA256, _by_hand(folder))
    download.verify(path, SIZE, SHA256, "Tiny Shakespeare's input.txt")
    return path


def load(data_dir=None, *, urls=None) -> str:
    """The whole text, 1,115,394 characters (65 different ones), as one string."""
    return file(data_dir, urls=urls).read_text(encoding="ascii")


def split(text) -> tuple[str, str]:
    """``(train, validation)``: the first ``TRAIN_FRACTION`` of ``text`` and the rest,
    cut at ``int(len(text) * TRAIN_FRACTION)`` as nanoGPT's ``prepare.py`` does."""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError(
            f"text must be a string of at least 2 characters, got {type(text).__name__}"
            f" of length {len(text) if hasattr(text, '__len__') else 'unknown'}"
        )
    cut = int(len(text) * TRAIN_FRACTION)
    return text[:cut], text[cut:]


def _by_hand(folder: Path) -> str:
    return (
        f"To use Tiny Shakespeare without a download, copy {FILE} (sha256 {SHA256}) "
        f"into {folder},\nor pass data_dir= a folder that holds it, or set {DATA_ENV} "
        f"to a folder whose subfolder {NAME}/ holds it."
    )
