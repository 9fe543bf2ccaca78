"""rnnlib.data.shakespeare: the real file loads and splits as the pages say; downloads
leave only a verified file; a damaged file is named and never used; RNNLIB_DATA names
the folder that holds each data set's folder.

Downloads come from a real HTTP server on 127.0.0.1 serving a small text whose size
and digest replace the module's; the real-data tests need the offline copy
(RNNLIB_DATA/tinyshakespeare, or shared/data/tinyshakespeare beside the repository).
"""

import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest

from rnnlib.data import chars, download, shakespeare

ROOT = Path(__file__).resolve().parents[1]


def find_real_copy() -> Path | None:
    root = os.environ.get("RNNLIB_DATA", "")
    candidates = [Path(root) / "tinyshakespeare"] if root else []
    candidates += [
        up / "shared" / "data" / "tinyshakespeare" for up in ROOT.parents[:2]
    ]
    for candidate in candidates:
        if (candidate / "input.txt").is_file():
            return candidate
    return None


REAL = find_real_copy()
needs_real = pytest.mark.skipif(REAL is None, reason="no offline Tiny Shakespeare copy")
SMALL = "First Citizen:\nSpeak, speak.\n\nAll:\nResolved. resolved.\n" * 3


@pytest.fixture(autouse=True)
def cache(monkeypatch, tmp_path) -> Path:
    """No RNNLIB_DATA, a fresh cache under tmp_path, nothing verified yet."""
    monkeypatch.delenv("RNNLIB_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(download, "_verified", {})
    return tmp_path / "xdg" / "rnnlib" / "tinyshakespeare"


@pytest.fixture
def small(monkeypatch):
    """SMALL made the known-good file."""
    data = SMALL.encode("ascii")
    monkeypatch.setattr(shakespeare, "SIZE", len(data))
    monkeypatch.setattr(shakespeare, "SHA256", hashlib.sha256(data).hexdigest())
    return data


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/served/; ``server.url(name)`` is a file's URL."""
    served = tmp_path / "served"
    served.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    port = httpd.server_address[1]
    httpd.folder = served
    httpd.url = lambda name: f"http://127.0.0.1:{port}/{name}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@needs_real
def test_real_text_splits_and_has_65_characters(tmp_path):
    sums = (REAL / "SHA256SUMS").read_text().split()
    assert sums == [shakespeare.SHA256, "input.txt"]
    text = shakespeare.load(REAL)
    assert len(text) == shakespeare.SIZE == 1_115_394
    assert text.startswith("First Citizen:\nBefore we proceed any further")
    train, val = shakespeare.split(text)
    assert (len(train), len(val)) == (1_003_854, 111_540) and train + val == text
    vocab = chars.Vocabulary(train)
    assert len(vocab) == 65 and vocab.chars[:3] == ["\n", " ", "!"]
    assert vocab.decode(vocab.encode(val)) == val


@needs_real
def test_rnnlib_data_names_the_folder_of_every_data_set(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLIB_DATA", str(REAL.parent))
    assert shakespeare.find_dir() == REAL
    assert shakespeare.file(urls=()) == REAL / "input.txt"


def test_download_then_no_network(small, server, cache):
    (server.folder / "input.txt").write_bytes(small)
    assert shakespeare.load(urls=(server.url("input.txt"),)) == SMALL
    assert sorted(os.listdir(cache)) == ["input.txt"]
    assert (cache / "input.txt").stat().st_mode & 0o777 == 0o644
    download._verified.clear()
    assert shakespeare.load(urls=()) == SMALL  # found, verified, not fetched


def test_checksum_failure_on_download_leaves_nothing(small, server, cache):
    bad = small.replace(b"Speak", b"speak", 1)  # same size, another digest
    (server.folder / "input.txt").write_bytes(bad)
    url = server.url("input.txt")
    with pytest.raises(shakespeare.DownloadError) as caught:
        shakespeare.load(urls=(url, server.url("missing.txt")))
    message = str(caught.value)
    assert f"{url}: BadFileError: sha256 {hashlib.sha256(bad).hexdigest()}" in message
    assert "missing.txt: HTTPError: HTTP Error 404" in message
    assert "RNNLIB_DATA" in message and str(cache) in message
    assert not cache.exists() or os.listdir(cache) == []


def test_damaged_file_in_the_folder_is_named_and_not_used(small, server, cache):
    cache.mkdir(parents=True)
    (cache / "input.txt").write_bytes(small[:-1] + b"?")
    (server.folder / "input.txt").write_bytes(small)
    with pytest.raises(shakespeare.BadFileError) as caught:
        shakespeare.load(urls=(server.url("input.txt"),))
    assert str(cache / "input.txt") in str(caught.value)
    assert "Delete it" in str(caught.value)
    assert (cache / "input.txt").read_bytes().endswith(b"?")  # left alone


def test_bad_arguments_are_named(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="data_dir must be a folder path, got 3"):
        shakespeare.load(3)
    with pytest.raises(ValueError, match="text must be a string of at least 2"):
        shakespeare.split(["a", "b"])
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv("RNNLIB_DATA", str(a_file))
    with pytest.raises(ValueError, match="RNNLIB_DATA must be a folder"):
        shakespeare.load(urls=())
