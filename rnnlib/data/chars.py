"""Characters as classes: the vocabulary, the metric, sampling, what samples look like.

- ``Vocabulary``: the sorted characters of a training text, each an integer id;
  ``encode`` / ``decode`` between strings and id arrays.
- ``bits``, ``perplexity``: the same loss, ``nats`` per character, in other units.
- ``sample_next``: draw the next id from logits with a temperature and top-k, from a
  seeded NumPy generator (so both frameworks' samples are the same draws).
- ``sample_stats``: what a sample looks like, measured: words found in the training
  text, line lengths, speaker lines (``speakers``: which lines name a speaker).
- ``span_features``: per-character labels of where the reader is (inside a line, a
  speaker's name, a word), for probing a model's state.

NumPy only.
"""

import math
import re

import numpy as np

from rnnlib._checks import check_int

__all__ = [
    "Vocabulary",
    "bits",
    "perplexity",
    "sample_next",
    "sample_stats",
    "span_features",
    "speakers",
    "words",
]


class Vocabulary:
    """The distinct characters of ``text``, sorted; id i is the i-th of them."""

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError(f"text must be a non-empty string, got {text!r:.40}")
        self.chars = sorted(set(text))
        self.ids = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, text: str) -> np.ndarray:
        """The ids of ``text``'s characters, shape (len(text),), int64."""
        unknown = sorted(set(text) - set(self.ids))
        if unknown:
            raise ValueError(
                f"text holds characters that are not in the vocabulary: {unknown}"
            )
        table = np.zeros(128, np.int64)
        if all(ord(c) < 128 for c in self.chars):
            for char, i in self.ids.items():
                table[ord(char)] = i
            return table[np.frombuffer(text.encode("ascii"), np.uint8)]
        return np.array([self.ids[c] for c in text], np.int64)

    def decode(self, ids) -> str:
        """The string whose characters have ``ids`` (any integer array-like)."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"ids must be in [0, {len(self)}), got values in "
                f"[{ids.min()}, {ids.max()}]"
            )
        return "".join(self.chars[i] for i in ids.ravel())


def bits(nats: float) -> float:
    """A loss in nats per character, in bits per character: nats / ln 2."""
    return nats / math.log(2)


def perplexity(nats: float) -> float:
    """exp(nats): the number of equally likely characters that would be as uncertain."""
    return math.exp(nats)


def sample_next(logits, rng, *, temperature=1.0, top_k=None) -> int:
    """One id drawn from softmax(logits / temperature), only the ``top_k`` largest kept.

    logits: (num_classes,). temperature < 1 sharpens the distribution, > 1 flattens
    it; top_k=None keeps every class. ``rng`` is a ``np.random.Generator``: one uniform
    draw per call, so a seed fixes the sample whatever framework made the logits.
    """
    logits = np.asarray(logits, np.float64).ravel()
    if not (isinstance(temperature, (int, float)) and temperature > 0):
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    if top_k is not None:
        top_k = check_int(top_k, "top_k")
        if top_k < len(logits):
            cut = np.partition(logits, -top_k)[-top_k]
            logits = np.where(logits >= cut, logits, -np.inf)
    scaled = logits / temperature
    probs = np.exp(scaled - scaled.max())
    cumulative = np.cumsum(probs / probs.sum())
    return int(
        min(np.searchsorted(cumulative, rng.random(), side="right"), len(logits) - 1)
    )


_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased: runs of letters, inner apostrophes kept."""
    return [word.lower() for word in _WORD.findall(text)]


def sample_stats(sample: str, train_words: set) -> dict:
    """What a generated text looks like: its number of words and the fraction of them
    (lower-cased) found in ``train_words``; its number of non-empty lines, their mean
    and longest length, and the fraction of them that name a speaker (``speakers``)."""
    found = words(sample)
    all_lines = sample.split("\n")
    named = speakers(all_lines)
    lines = [line for line in all_lines if line.strip()]
    return {
        "words": len(found),
        "known_words": float(np.mean([w in train_words for w in found]))
        if found
        else 0.0,
        "lines": len(lines),
        "mean_line": float(np.mean([len(line) for line in lines])) if lines else 0.0,
        "longest_line": max((len(line) for line in lines), default=0),
        "speaker_lines": sum(named) / len(lines) if lines else 0.0,
    }


def speakers(lines: list[str]) -> list[bool]:
    """For each line of a play (``text.split("\\n")``), whether it names a speaker: a
    short line that starts with a capital and ends with a colon ("ROMEO:",
    "First Citizen:"), and opens a speech, so is the text's first line or follows an
    empty one. (A verse line may end with a colon too, "Come:", but never opens a
    speech.)"""
    return [
        line.endswith(":")
        and line[:1].isupper()
        and len(line) <= 40
        and (i == 0 or not lines[i - 1])
        for i, line in enumerate(lines)
    ]


def span_features(text: str) -> dict[str, np.ndarray]:
    """Per-character labels, shape (len(text),) each, of where character t stands.

    - ``in_line``: how many characters of its line come before it (0 at a line's
      first character), the quantity Karpathy's line-length cell tracked;
    - ``in_name``: 1 inside a speaker's name, a line such as "First Citizen:" that
      opens a speech (``speakers``; the colon and the newline after it included),
      else 0;
    - ``in_word``: 1 on a letter or inner apostrophe of a word, else 0.
    """
    n = len(text)
    in_line = np.zeros(n, np.int64)
    in_name = np.zeros(n, np.int64)
    start = 0
    lines = text.split("\n")
    for line, named in zip(lines, speakers(lines)):
        end = start + len(line)
        in_line[start:end] = np.arange(len(line))
        if end < n:
            in_line[end] = len(line)  # the newline ends its line
        if named:
            in_name[start : min(end + 1, n)] = 1
        start = end + 1
    in_word = np.zeros(n, np.int64)
    for match in _WORD.finditer(text):
        in_word[match.start() : match.end()] = 1
    return {"in_line": in_line, "in_name": in_name, "in_word": in_word}
