"""rnnlib.data.mnist: the real files decode to MNIST, downloads leave only verified
files, and every bad file, folder or argument is named in the error.

Downloads come from a real HTTP server on 127.0.0.1 serving small synthetic IDX files
whose sizes and digests replace the module's table; the tests on the real data need the
offline copy (RNNLIB_DATA/mnist, or shared/data/mnist beside the repository) and
skip without it (fail, in CI).
"""

import gzip
import hashlib
import http.server
import os
import re
import socket
import struct
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import missing

from rnnlib.data import download, mnist

ROOT = Path(__file__).resolve().parents[1]
NAMES = tuple(mnist.FILES)  # the four real names, before any test patches the table


def find_real_copy() -> Path | None:
    """The folder holding the four real files: $RNNLIB_DATA/mnist, else shared/ beside
    us."""
    root = os.environ.get("RNNLIB_DATA", "")
    candidates = [str(Path(root) / "mnist")] if root else []
    candidates += [str(up / "shared" / "data" / "mnist") for up in ROOT.parents[:2]]
    for candidate in candidates:
        if candidate and all((Path(candidate) / name).is_file() for name in NAMES):
            return Path(candidate)
    return None


REAL = find_real_copy()
needs_real = pytest.mark.prerequisite(
    REAL is not None,
    reason="no offline MNIST copy: set RNNLIB_DATA to a folder whose mnist/ holds the "
    "four files, or put them in <repo>/../shared/data/mnist",
)


def idx(magic: int, array: np.ndarray, dims=None) -> bytes:
    """A gzipped IDX file: magic, dimensions (the array's unless given), raw bytes."""
    dims = array.shape if dims is None else dims
    header = struct.pack(f">{1 + len(dims)}I", magic, *dims)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def use_files(monkeypatch, contents: dict[str, bytes], counts: dict[str, int]) -> None:
    """Make ``contents`` the known-good files and ``counts`` the splits' sizes."""
    table = {name: (len(b), sha256(b)) for name, b in contents.items()}
    monkeypatch.setattr(mnist, "FILES", table)
    splits = {split: (*mnist.SPLITS[split][:2], n) for split, n in counts.items()}
    monkeypatch.setattr(mnist, "SPLITS", splits)


def listing(folder: Path) -> list[str]:
    """Everything in ``folder``, hidden files included; [] when it does not exist."""
    return sorted(os.listdir(folder)) if folder.exists() else []


def corrupted(data: bytes) -> bytes:
    """The same length with one byte in the middle flipped."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.fixture(autouse=True)
def cache(monkeypatch, tmp_path) -> Path:
    """No RNNLIB_DATA, a fresh per-user cache under tmp_path, nothing verified yet.

    HOME moves too, so that no test (nor a bug) can write into the real ~/.cache.
    """
    monkeypatch.delenv("RNNLIB_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(download, "_verified", {})
    return tmp_path / "xdg" / "rnnlib" / "mnist"


@pytest.fixture
def fake(monkeypatch):
    """Synthetic MNIST (6 train, 4 test examples) made the known-good files."""
    rng = np.random.default_rng(0)
    contents, arrays = {}, {}
    for split, n in (("train", 6), ("test", 4)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        images_name, labels_name, _ = mnist.SPLITS[split]
        contents[images_name] = idx(2051, images)
        contents[labels_name] = idx(2049, labels)
        arrays[split] = (images, labels)
    use_files(monkeypatch, contents, {"train": 6, "test": 4})
    return SimpleNamespace(contents=contents, arrays=arrays)


def write(folder: Path, contents: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (folder / name).write_bytes(data)


class Mirror(http.server.BaseHTTPRequestHandler):
    """GET /MODE/NAME serves file NAME: good, corrupt (a flipped byte), truncated
    (closes halfway through the announced length), unannounced (half the file with no
    Content-Length), missing (404), trickle (a byte every 20 ms, as a stalled mirror
    does: never a read timeout, never the end)."""

    def do_GET(self):
        self.server.requests.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        data = self.server.contents.get(name)
        if data is None or mode == "missing":
            self.send_error(404)
            return
        body = corrupted(data) if mode == "corrupt" else data
        self.send_response(200)
        if mode != "unannounced":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "trickle":
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.02)
            except OSError:  # the client gave up
                pass
            return
        cut = mode in ("truncated", "unannounced")
        self.wfile.write(body[: len(body) // 2] if cut else body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(fake):
    """A local mirror of the synthetic files; ``server.url(mode)`` is its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    httpd.contents, httpd.requests = dict(fake.contents), []
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    port = httpd.server_address[1]
    httpd.url = lambda mode="good": f"http://127.0.0.1:{port}/{mode}/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def dead_url():
    """A port with a bound socket that does not listen: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"


def assert_same(got, want):
    (images, labels), (want_images, want_labels) = got, want
    assert images.dtype == labels.dtype == np.uint8
    assert np.array_equal(images, want_images) and np.array_equal(labels, want_labels)


# The real data


@pytest.fixture(scope="module")
def real():
    return {split: mnist.load(split, REAL) for split in ("train", "test")}


@needs_real
def test_table_matches_the_copys_sha256sums():
    sums = REAL / "SHA256SUMS"
    if not sums.is_file():
        missing(f"{sums} is missing")
    listed = dict(line.split()[::-1] for line in sums.read_text().splitlines() if line)
    assert listed == {name: digest for name, (_, digest) in mnist.FILES.items()}
    assert {n: (REAL / n).stat().st_size for n in NAMES} == {
        name: size for name, (size, _) in mnist.FILES.items()
    }


@needs_real
def test_real_shapes_dtypes_and_first_labels(real):
    (train_x, train_y), (test_x, test_y) = real["train"], real["test"]
    assert train_x.shape == (60000, 28, 28) and train_y.shape == (60000,)
    assert test_x.shape == (10000, 28, 28) and test_y.shape == (10000,)
    for array in (train_x, train_y, test_x, test_y):
        assert array.dtype == np.uint8 and array.flags.writeable
    assert train_y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert train_x.min() == 0 and train_x.max() == 255
    assert train_x[0, 0].sum() == 0 and train_x[0, 14].sum() > 0  # blank rim, ink


@needs_real
def test_real_per_digit_counts(real):
    train = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    test = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(real["train"][1], minlength=10).tolist() == train
    assert np.bincount(real["test"][1], minlength=10).tolist() == test


def _quiet(directory: Path):
    """A handler serving the files in ``directory``, without log lines."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, *args):
            pass

    return Handler


@needs_real
def test_real_files_download_from_a_local_mirror(cache, tmp_path, real):
    """The unpatched table accepts the real files as served over HTTP."""
    served = tmp_path / "served"
    write(served, {n: (REAL / n).read_bytes() for n in NAMES if n.startswith("t10k")})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _quiet(served))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        got = mnist.load(
            "test", mirrors=(f"http://127.0.0.1:{httpd.server_address[1]}",)
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert_same(got, real["test"])
    assert listing(cache) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_as_sequences_reads_rows_as_steps_scaled_to_one(fake):
    images = fake.arrays["train"][0]
    x = mnist.as_sequences(images)
    assert x.dtype == np.float32 and x.shape == images.shape
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_allclose(x[:, 5], images[:, 5] / 255, rtol=1e-6)  # step = row
    for bad in (x, images[0], images.reshape(6, 28 * 28)):
        with pytest.raises(
            ValueError, match=r"images must be uint8 of shape \(n, 28, 28\)"
        ):
            mnist.as_sequences(bad)


# Downloads


def test_good_download_fills_the_cache_then_needs_no_network(
    server, fake, cache, dead_url
):
    assert_same(mnist.load("train", mirrors=(server.url(),)), fake.arrays["train"])
    assert listing(cache) == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
    assert_same(mnist.load("test", mirrors=[server.url()]), fake.arrays["test"])
    assert listing(cache) == sorted(NAMES)
    assert [(cache / n).read_bytes() for n in NAMES] == [
        fake.contents[n] for n in NAMES
    ]
    assert {(cache / n).stat().st_mode & 0o777 for n in NAMES} == {0o644}
    download._verified.clear()  # a new process: found files are verified, not fetched
    assert_same(mnist.load("train", mirrors=(dead_url,)), fake.arrays["train"])
    assert len(server.requests) == 4


def test_module_mirror_list_is_the_default(monkeypatch, server, fake, cache):
    monkeypatch.setattr(mnist, "MIRRORS", (server.url(),))
    assert_same(mnist.load("test"), fake.arrays["test"])
    assert listing(cache) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


@pytest.mark.parametrize(
    "mode, reason",
    [
        ("corrupt", r"BadFileError: sha256 [0-9a-f]{64}, expected [0-9a-f]{64}"),
        ("truncated", r"received \d+ bytes, expected \d+"),
        ("unannounced", r"received \d+ bytes, expected \d+"),
        ("missing", r"HTTPError: HTTP Error 404"),
    ],
)
def test_bad_transfer_leaves_nothing_and_says_why(server, cache, mode, reason):
    url = server.url(mode)
    with pytest.raises(mnist.DownloadError) as caught:
        mnist.load("train", mirrors=(url,))
    message = str(caught.value)
    assert f"{url}train-images-idx3-ubyte.gz: " in message
    assert len(re.findall(reason, message)) == 1
    assert_says_where_to_put_files(message, cache)
    assert listing(cache) == []  # no temp file, no damaged file under a final name


def assert_says_where_to_put_files(message: str, folder: Path):
    assert f"into {folder}" in message and "RNNLIB_DATA" in message
    for name in NAMES:
        assert name in message


def test_server_down_fails_fast_and_clearly(dead_url, fake, cache):
    start = time.monotonic()
    with pytest.raises(mnist.DownloadError, match="Connection refused") as caught:
        mnist.load("test", mirrors=(dead_url,))
    assert time.monotonic() - start < 5
    assert_says_where_to_put_files(str(caught.value), cache)
    assert listing(cache) == []


def test_silent_server_times_out(monkeypatch, fake, cache):
    """A server that accepts and never answers costs TIMEOUT, not forever."""
    monkeypatch.setattr(download, "TIMEOUT", 0.3)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        give_up = threading.Timer(5, sock.shutdown, (socket.SHUT_RDWR,))  # no hang
        give_up.start()
        start = time.monotonic()
        try:
            with pytest.raises(mnist.DownloadError, match="timed out"):
                mnist.load("test", mirrors=(url,))
        finally:
            give_up.cancel()
    assert time.monotonic() - start < 3
    assert listing(cache) == []


def test_trickling_mirror_meets_the_deadline(monkeypatch, server, cache):
    """Bytes that keep coming, each within the read timeout, cannot keep a download
    alive past DEADLINE; the error says how far it got, and nothing is left behind."""
    monkeypatch.setattr(download, "DEADLINE", 0.5)
    start = time.monotonic()
    with pytest.raises(mnist.DownloadError) as caught:
        mnist.load("test", mirrors=(server.url("trickle"),))
    assert time.monotonic() - start < 3
    message = str(caught.value)
    assert re.search(
        r"TimeoutError: gave up after 0\.\d s \(deadline 0\.5 s\) with "
        r"\d+ of \d+ bytes",
        message,
    ), message
    assert listing(cache) == []


def test_every_mirror_is_tried_and_listed(server, dead_url, cache):
    mirrors = (dead_url, server.url("corrupt"), server.url("missing"))
    with pytest.raises(mnist.DownloadError) as caught:
        mnist.load("test", mirrors=mirrors)
    lines = str(caught.value).splitlines()
    tried = [line for line in lines if line.startswith("  http://")]
    assert [line.split(": ")[0].strip() for line in tried] == [
        m + "t10k-images-idx3-ubyte.gz" for m in mirrors
    ]
    assert listing(cache) == []


def test_first_mirror_down_second_good(server, dead_url, fake, cache):
    got = mnist.load("test", mirrors=(dead_url, server.url("corrupt"), server.url()))
    assert_same(got, fake.arrays["test"])
    assert listing(cache) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def test_interrupted_download_leaves_no_temp_file(monkeypatch, server, cache):
    def interrupted(url, out, size, name):
        out.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(download, "_copy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mnist.load("test", mirrors=(server.url(),))
    assert listing(cache) == []


def test_download_goes_to_the_chosen_folder(monkeypatch, server, fake, cache, tmp_path):
    mine, env = tmp_path / "mine" / "mnist", tmp_path / "env" / "mnist"
    monkeypatch.setenv("RNNLIB_DATA", str(tmp_path / "env"))
    assert_same(mnist.load("test", mine, mirrors=(server.url(),)), fake.arrays["test"])
    assert listing(mine) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert_same(mnist.load("test", mirrors=(server.url(),)), fake.arrays["test"])
    assert listing(env) == listing(mine)
    assert listing(cache) == []


def test_unwritable_folder_is_named(server, tmp_path):
    (tmp_path / "a-file").write_text("")
    folder = tmp_path / "a-file" / "mnist"
    with pytest.raises(mnist.DownloadError, match=f"cannot write into {folder}"):
        mnist.load("test", folder, mirrors=(server.url(),))
    assert server.requests == []


def test_progress_bar_follows_the_switch(monkeypatch, capsys, server):
    monkeypatch.setenv("RNNLIB_PROGRESS", "1")
    mnist.load("test", mirrors=(server.url(),))
    assert "t10k-images-idx3-ubyte.gz" in capsys.readouterr().err
    monkeypatch.setenv("RNNLIB_PROGRESS", "0")
    mnist.load("train", mirrors=(server.url(),))
    assert capsys.readouterr().err == ""


# Files already in the folder


@pytest.mark.parametrize("damage", ["corrupt", "truncated"])
def test_damaged_file_in_the_folder_is_reported_not_used(server, fake, cache, damage):
    write(cache, fake.contents)
    name = "train-labels-idx1-ubyte.gz"
    good = fake.contents[name]
    bad = corrupted(good) if damage == "corrupt" else good[: len(good) // 2]
    (cache / name).write_bytes(bad)
    with pytest.raises(mnist.BadFileError) as caught:
        mnist.load("train", mirrors=(server.url(),))
    message = str(caught.value)
    assert str(cache / name) in message
    assert f"expected sha256 {sha256(good)} ({len(good)} bytes)" in message
    assert f"found    sha256 {sha256(bad)} ({len(bad)} bytes)" in message
    assert "Delete it" in message
    assert (cache / name).read_bytes() == bad and server.requests == []


def test_each_file_is_hashed_once_until_it_changes(monkeypatch, fake, cache):
    write(cache, fake.contents)
    hashed = []
    file_digest = hashlib.file_digest

    def counting(f, digest):
        hashed.append(Path(f.name).name)
        return file_digest(f, digest)

    monkeypatch.setattr(download.hashlib, "file_digest", counting)
    mnist.load("train")
    mnist.load("train")
    assert sorted(hashed) == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
    labels = cache / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(corrupted(labels.read_bytes()))  # same size, new contents
    os.utime(labels, ns=(0, labels.stat().st_mtime_ns + 10**9))
    with pytest.raises(mnist.BadFileError, match="train-labels-idx1-ubyte.gz"):
        mnist.load("train")
    assert len(hashed) == 3


# Headers (the table is patched to accept whatever bytes the test writes)


images6 = (np.arange(6 * 28 * 28) % 256).astype(np.uint8).reshape(6, 28, 28)
labels6 = (np.arange(6) % 10).astype(np.uint8)
HEADER_CASES = {
    "images with the labels' magic": (
        idx(2049, images6),
        idx(2049, labels6),
        "images",
        "magic number 2049, expected 2051",
    ),
    "labels with the images' magic": (
        idx(2051, images6),
        idx(2051, labels6),
        "labels",
        "magic number 2051, expected 2049",
    ),
    "27 rows": (
        idx(2051, images6[:, :27]),
        idx(2049, labels6),
        "images",
        r"dimensions \(6, 27, 28\), expected \(6, 28, 28\)",
    ),
    "fewer labels than images": (
        idx(2051, images6),
        idx(2049, labels6[:5]),
        "labels",
        r"dimensions \(5,\), expected \(6,\)",
    ),
    "payload shorter than the header says": (
        idx(2051, images6[:5], dims=(6, 28, 28)),
        idx(2049, labels6),
        "images",
        r"3920 bytes after its header, but its dimensions \(6, 28, 28\) need 4704",
    ),
    "payload longer than the header says": (
        idx(2051, images6),
        idx(2049, np.arange(7), dims=(6,)),
        "labels",
        r"holds 7 bytes after its header, but its dimensions \(6,\) need 6",
    ),
    "not gzip": (
        b"\x00\x00\x08\x03 plain bytes",
        idx(2049, labels6),
        "images",
        "not a readable gzip file",
    ),
    "shorter than a header": (
        idx(2051, images6),
        gzip.compress(b"\x00\x00\x08"),
        "labels",
        "3 bytes, too short for an IDX header",
    ),
}


@pytest.mark.parametrize("case", HEADER_CASES)
def test_malformed_file_is_named(monkeypatch, tmp_path, case):
    images, labels, which, message = HEADER_CASES[case]
    names = {
        "images": "train-images-idx3-ubyte.gz",
        "labels": "train-labels-idx1-ubyte.gz",
    }
    contents = {names["images"]: images, names["labels"]: labels}
    use_files(monkeypatch, contents, {"train": 6})
    write(tmp_path, contents)
    with pytest.raises(mnist.BadFileError, match=message) as caught:
        mnist.load("train", tmp_path, mirrors=())
    assert str(caught.value).startswith(str(tmp_path / names[which]))


def test_well_formed_synthetic_file_loads(monkeypatch, tmp_path):
    """The control for the cases above: the same writer, correct headers."""
    contents = {
        "train-images-idx3-ubyte.gz": idx(2051, images6),
        "train-labels-idx1-ubyte.gz": idx(2049, labels6),
    }
    use_files(monkeypatch, contents, {"train": 6})
    write(tmp_path, contents)
    assert_same(mnist.load("train", tmp_path, mirrors=()), (images6, labels6))


# Arguments and folders


@pytest.mark.parametrize("split", ["validation", "Train", "", None, 0, ["train"]])
def test_bad_split_is_named(split):
    with pytest.raises(ValueError, match=r"split must be 'train' or 'test', got "):
        mnist.load(split, mirrors=())


def test_bad_data_dir_is_named(monkeypatch, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(ValueError, match=f"data_dir must be a folder, got '{a_file}'"):
        mnist.load("test", a_file, mirrors=())
    for bad in (3, ""):
        with pytest.raises(
            ValueError, match=f"data_dir must be a folder path, got {bad!r}"
        ):
            mnist.load("test", bad, mirrors=())
    monkeypatch.setenv("RNNLIB_DATA", str(a_file))
    with pytest.raises(
        ValueError, match=f"RNNLIB_DATA must be a folder, got '{a_file}'"
    ):
        mnist.load("test", mirrors=())


def test_folder_precedence(monkeypatch, tmp_path, cache):
    assert mnist.find_dir() == cache
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist.find_dir() == tmp_path / "home" / ".cache" / "rnnlib" / "mnist"
    monkeypatch.setenv("RNNLIB_DATA", str(tmp_path / "env"))
    assert mnist.find_dir() == tmp_path / "env" / "mnist"
    assert mnist.find_dir(tmp_path / "mine") == tmp_path / "mine"
    assert mnist.find_dir("~/here") == tmp_path / "home" / "here"


def test_a_relative_rnnlib_data_is_made_absolute_for_the_kernels(monkeypatch, tmp_path):
    """The build and the tests resolve RNNLIB_DATA where they start (the repository's
    root), before the pages' kernels start in book/."""
    from rnnlib.data import download

    (tmp_path / "book").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RNNLIB_DATA", "shared/data ")
    download.absolute_data_env()
    monkeypatch.chdir(tmp_path / "book")  # where a page's kernel runs
    assert mnist.find_dir() == tmp_path / "shared" / "data" / "mnist"
    monkeypatch.setenv("RNNLIB_DATA", "")
    download.absolute_data_env()  # unset or empty: left for the cache
    assert os.environ["RNNLIB_DATA"] == ""


def test_files_in_rnnlib_data_are_used(monkeypatch, fake, tmp_path, cache):
    write(tmp_path / "env" / "mnist", fake.contents)
    monkeypatch.setenv("RNNLIB_DATA", str(tmp_path / "env"))
    assert_same(mnist.load("train", mirrors=()), fake.arrays["train"])
    assert mnist.files("test", mirrors=()) == (
        tmp_path / "env" / "mnist" / "t10k-images-idx3-ubyte.gz",
        tmp_path / "env" / "mnist" / "t10k-labels-idx1-ubyte.gz",
    )
    assert listing(cache) == []
