"""Where the book's data sets live; fetching a file once, verified, never half-written.

Every data set is one folder named after it (``mnist``, ``tinyshakespeare``), looked for
in, first to last:

1. ``data_dir``, when a loader is given one: that folder holds the files itself;
2. ``$RNNLIB_DATA/<name>``: the environment variable names one folder that holds every
   data set, each in its own subfolder (``.ci/run`` points it at ``../shared/data``);
3. a per-user cache, ``$XDG_CACHE_HOME/rnnlib/<name>`` or ``~/.cache/rnnlib/<name>``.

A missing file is downloaded into that same folder (a learner who names a folder expects
the data to land there). Every file, found or downloaded, is checked against its known
size and sha256 before it is used (once per process, until its size or mtime changes);
a damaged file is reported and left alone, never used or replaced. A download goes to a
temporary file that takes its final name only after it passed, so a folder never holds a
half-written file under a data set's name. Each read may wait ``TIMEOUT`` seconds and a
whole file ``DEADLINE``: a server that trickles bytes cannot keep a download alive
forever. NumPy-free: the standard library and tqdm only.
"""

import hashlib
import http.client
import os
import tempfile
import time
import urllib.request
from pathlib import Path

from tqdm import tqdm

from rnnlib.config import show_progress

__all__ = [
    "DATA_ENV",
    "BadFileError",
    "DownloadError",
    "absolute_data_env",
    "download",
    "find_dir",
    "verify",
]

DATA_ENV = "RNNLIB_DATA"
TIMEOUT = 5.0  # seconds to connect, and for each read: offline fails fast, not never
DEADLINE = 600.0  # seconds for one whole file: a trickling server is given up on
_CHUNK = 1 << 16

_verified: dict[str, tuple[int, int]] = {}  # path -> (size, mtime_ns) when it passed


class BadFileError(ValueError):
    """A file under a data set's name is not that file: wrong digest or malformed."""


class DownloadError(OSError):
    """No mirror delivered a file; the message says where to put the files by hand."""


def absolute_data_env() -> None:
    """Make a relative ``$RNNLIB_DATA`` absolute, from this process's folder.

    For the book's build and tests, before they start kernels: a page's kernel runs in
    ``book/``, where ``RNNLIB_DATA=../shared/data`` typed at the repository's root would
    name another folder.
    """
    value = os.environ.get(DATA_ENV, "").strip()
    if value:
        os.environ[DATA_ENV] = str(Path(value).expanduser().resolve())


def find_dir(name: str, data_dir=None) -> Path:
    """The folder of data set ``name``: ``data_dir``, else ``$RNNLIB_DATA/name``, else
    the cache.

    The lookup rule in one place, so a notebook can print where its data lives. The
    folder need not exist yet (a download creates it); "~" is expanded; a file is
    refused.
    """
    if data_dir is not None:
        if not isinstance(data_dir, (str, os.PathLike)) or str(data_dir) == "":
            raise ValueError(f"data_dir must be a folder path, got {data_dir!r}")
        where, path = "data_dir", Path(data_dir)
    elif os.environ.get(DATA_ENV, "").strip():
        root = Path(os.environ[DATA_ENV].strip()).expanduser()
        if root.exists() and not root.is_dir():
            raise ValueError(
                f"{DATA_ENV} must be a folder, got {str(root)!r}, which is a file"
            )
        where, path = f"{DATA_ENV}/{name}", root / name
    else:
        cache = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
        where, path = "the cache path", base / "rnnlib" / name
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(
            f"{where} must be a folder, got {str(path)!r}, which is a file"
        )
    return path


def verify(path: Path, size: int, digest: str, what: str) -> None:
    """Raise BadFileError unless ``path`` has ``size`` bytes and sha256 ``digest``
    (memoized per path until its size or mtime changes). ``what`` names the file in
    the message ("the MNIST file ...")."""
    stat = path.stat()
    key, stamp = str(path.resolve()), (stat.st_size, stat.st_mtime_ns)
    if _verified.get(key) == stamp:
        return
    with open(path, "rb") as f:
        actual = hashlib.file_digest(f, "sha256").hexdigest()
    if actual != digest or stat.st_size != size:
        raise BadFileError(
            f"{path} is damaged or not {what}:\n"
            f"  expected sha256 {digest} ({size} bytes)\n"
            f"  found    sha256 {actual} ({stat.st_size} bytes)\n"
            "It was not used. Delete it and load again to download a fresh copy, "
            "or replace it with a good one."
        )
    _verified[key] = stamp


def download(folder: Path, name: str, urls, size: int, digest: str, by_hand: str):
    """Fetch file ``name`` into ``folder`` from the first of ``urls`` that delivers
    exactly ``size`` bytes with sha256 ``digest``; DownloadError listing every URL and
    why it failed, then ``by_hand`` (how to put the file there yourself), otherwise."""
    if isinstance(urls, str):
        urls = (urls,)
    reasons = []
    for url in urls:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        except OSError as error:
            message = f"cannot write into {folder}: {error}\n" + by_hand
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
        f"could not download {name} into {folder}; tried:\n{tried}\n" + by_hand
    )


def _copy(url: str, out, size: int, name: str) -> str:
    """Stream ``url`` into the open file ``out``; the sha256 of exactly ``size`` bytes.

    Gives up with TimeoutError once the whole transfer has taken ``DEADLINE`` seconds,
    saying how far it got; a progress bar shows the bytes as they come (unless
    ``RNNLIB_PROGRESS=0``)."""
    sha = hashlib.sha256()
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        offered = response.headers.get("Content-Length")
        if offered is not None and offered.strip() != str(size):
            raise ValueError(f"server offers {offered} bytes, expected {size}")
        got = 0
        disable = not show_progress()
        with tqdm(
            total=size, unit="B", unit_scale=True, desc=name, disable=disable
        ) as bar:
            while got <= size and (chunk := response.read1(_CHUNK)):
                out.write(chunk)
                sha.update(chunk)
                got += len(chunk)
                bar.update(len(chunk))
                elapsed = time.monotonic() - start
                if elapsed > DEADLINE and got < size:
                    raise TimeoutError(
                        f"gave up after {elapsed:.1f} s (deadline {DEADLINE:g} s) with "
                        f"{got} of {size} bytes ({100 * got / size:.1f}%, "
                        f"{got / elapsed / 1e3:.1f} kB/s)"
                    )
    if got != size:
        raise ValueError(f"received {got} bytes, expected {size}")
    return sha.hexdigest()
