"""Framework-free text models: Witten-Bell and Kneser-Ney n-grams are distributions and
match their formulas counted by hand; the tanh cell's backprop is right for 65
characters; min-char-rnn's pieces; sampling and the statistics the pages report."""

import math
from collections import Counter

import numpy as np
import pytest

from rnnlib.data import chars, ngram
from rnnlib.numpy import blas, cell, charrnn, gradcheck

TEXT = "the cat sat on the mat. the hat is on the cat!\n" * 4


@pytest.fixture(scope="module")
def vocab():
    return chars.Vocabulary(TEXT)


@pytest.fixture(scope="module")
def counts(vocab):
    return ngram.fit(vocab.encode(TEXT), 3, len(vocab))


def witten_bell_by_hand(text, context, char, order, vocab_size):
    """The interpolated Witten-Bell formula, counted with Counters from the text."""
    if order < 0:
        return 1.0 / vocab_size
    lower = witten_bell_by_hand(text, context, char, order - 1, vocab_size)
    h = context[len(context) - order :] if order else ""
    if len(h) < order:
        return lower
    follows = Counter(
        text[i + order] for i in range(len(text) - order) if text[i : i + order] == h
    )
    c_h = sum(follows.values())
    if c_h == 0:
        return lower
    return (follows[char] + len(follows) * lower) / (c_h + len(follows))


def test_probabilities_sum_to_one_for_every_context(counts, vocab):
    rng = np.random.default_rng(0)
    contexts = [[], vocab.encode("the"), vocab.encode("mm!"), vocab.encode("t")]
    contexts += [rng.integers(0, len(vocab), 3) for _ in range(20)]
    for context in contexts:
        for order in range(4):
            p = ngram.distribution(counts, context, order)
            assert p.shape == (len(vocab),) and np.all(p > 0)
            assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_witten_bell_matches_the_formula_counted_by_hand(counts, vocab):
    for context, char in [
        ("the", " "),
        ("he ", "c"),
        ("at", "."),
        ("!!!", "t"),
        ("t c", "a"),
        ("mat", "!"),
    ]:
        ids = vocab.encode(context)
        for order in range(4):
            want = witten_bell_by_hand(TEXT, context, char, order, len(vocab))
            got = ngram.distribution(counts, ids, order)[vocab.ids[char]]
            assert got == pytest.approx(want, rel=1e-12), (context, char, order)


def kneser_ney_by_hand(text, context, char, order, top, vocab_size, discount):
    """Interpolated Kneser-Ney counted with Counters: raw counts at the model's own
    order ``top``, continuation counts (different characters before h w) below it."""
    if order < 0:
        return 1.0 / vocab_size
    lower = kneser_ney_by_hand(
        text, context, char, order - 1, top, vocab_size, discount
    )
    h = context[len(context) - order :] if order else ""
    if len(h) < order:
        return lower
    starts = [i for i in range(len(text) - order) if text[i : i + order] == h]
    if order == top:
        follows = Counter(text[i + order] for i in starts)
    else:
        before = {(text[i - 1], text[i + order]) for i in starts if i >= 1}
        follows = Counter(w for _, w in before)
    c_h = sum(follows.values())
    if c_h == 0:
        return lower
    kept = max(follows[char] - discount, 0)
    return (kept + discount * len(follows) * lower) / c_h


def test_kneser_ney_matches_the_formula_counted_by_hand(counts, vocab):
    rng = np.random.default_rng(3)
    contexts = [[], vocab.encode("the"), vocab.encode("mm!"), vocab.encode("t")]
    contexts += [rng.integers(0, len(vocab), 3) for _ in range(10)]
    for context in contexts:
        for order in range(4):
            p = ngram.distribution(counts, context, order, method="kneser-ney")
            assert np.all(p > 0) and p.sum() == pytest.approx(1.0, abs=1e-12)
    for context, char in [("the", " "), ("he ", "c"), ("at", "."), ("!!!", "t")]:
        for order in range(4):
            for discount in (0.75, 0.3):
                top = min(order, len(context))  # a shorter context: a lower order
                want = kneser_ney_by_hand(
                    TEXT, context, char, order, top, len(vocab), discount
                )
                got = ngram.distribution(
                    counts,
                    vocab.encode(context),
                    order,
                    method="kneser-ney",
                    discount=discount,
                )[vocab.ids[char]]
                assert got == pytest.approx(want, rel=1e-12), (context, char, order)
    ids = vocab.encode("the hat sat.")
    losses = ngram.step_losses(counts, ids, 3, method="kneser-ney")
    for t in range(len(ids)):
        p = ngram.distribution(
            counts, ids[max(0, t - 3) : t], min(t, 3), method="kneser-ney"
        )
        assert losses[t] == pytest.approx(-math.log(p[ids[t]]), rel=1e-12)
    with pytest.raises(ValueError, match="method must be one of"):
        ngram.step_losses(counts, ids, 3, method="katz")
    with pytest.raises(ValueError, match=r"discount must be a number in \(0, 1\)"):
        ngram.distribution(counts, ids, 3, method="kneser-ney", discount=1.5)


def test_step_losses_agree_with_distribution_and_use_short_contexts(counts, vocab):
    ids = vocab.encode("the hat sat.")
    losses = ngram.step_losses(counts, ids, 3)
    for t in range(len(ids)):
        p = ngram.distribution(counts, ids[max(0, t - 3) : t], min(t, 3))
        assert losses[t] == pytest.approx(-math.log(p[ids[t]]), rel=1e-12)
    # A longer context fits the training text better; order 0 is the unigram.
    train = vocab.encode(TEXT)
    mean = [ngram.step_losses(counts, train, k).mean() for k in range(4)]
    assert mean[0] > mean[1] > mean[2] > mean[3]
    with pytest.raises(ValueError, match="order must be at most the fitted order 3"):
        ngram.step_losses(counts, ids, 4)


def test_ngram_bad_input_is_named(vocab):
    with pytest.raises(ValueError, match=r"ids must hold ids in \[0, 5\)"):
        ngram.fit(np.array([0, 1, 7]), 1, 5)
    with pytest.raises(ValueError, match="order must be at most 9"):
        ngram.fit(np.arange(20) % 5, 10, 5)
    with pytest.raises(ValueError, match="ids must be a 1-D array of integer ids"):
        ngram.fit(np.zeros((3, 3), np.int64), 1, 5)


def test_vocabulary_metric_and_spans():
    vocab = chars.Vocabulary("banana\n")
    assert len(vocab) == 4 and vocab.decode(vocab.encode("nab\n")) == "nab\n"
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['z'\]"):
        vocab.encode("za")
    assert chars.bits(math.log(2)) == pytest.approx(1.0)
    assert chars.perplexity(math.log(65)) == pytest.approx(65)
    text = "ROMEO:\nO, she doth teach\n"
    spans = chars.span_features(text)
    assert spans["in_name"].tolist()[:8] == [1] * 7 + [0]
    assert spans["in_line"][text.index("she")] == 3
    assert spans["in_line"][text.index("\n")] == 6  # the newline ends its line
    assert spans["in_word"][text.index("doth") : text.index("doth") + 5].tolist() == [
        1,
        1,
        1,
        1,
        0,
    ]


def test_sampling_temperature_and_top_k():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    draws = {}
    for temperature in (0.5, 1.0, 1.5):
        rng = np.random.default_rng(0)
        draws[temperature] = (
            np.bincount(
                [
                    chars.sample_next(logits, rng, temperature=temperature)
                    for _ in range(4000)
                ],
                minlength=4,
            )
            / 4000
        )
    np.testing.assert_allclose(draws[1.0], [0.5, 0.3, 0.15, 0.05], atol=0.025)
    assert draws[0.5][0] > draws[1.0][0] > draws[1.5][0]  # sharper, then flatter
    rng = np.random.default_rng(1)
    top2 = {chars.sample_next(logits, rng, top_k=2) for _ in range(500)}
    assert top2 == {0, 1}
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        chars.sample_next(logits, rng, temperature=0)
    stats = chars.sample_stats("ROMEO:\nthe cat xyzzy\n", {"the", "cat", "romeo"})
    assert stats["known_words"] == pytest.approx(3 / 4)
    assert stats["speaker_lines"] == 0.5 and stats["longest_line"] == 13
    assert stats["lines"] == 2 and stats["words"] == 4


def test_a_speaker_opens_a_speech():
    """A name line is the text's first line or follows an empty one: a verse line that
    ends with a colon is not a speaker."""
    text = "ROMEO:\nCome:\nLet us go:\n\nJULIET:\nSoft!\n"
    assert chars.speakers(text.split("\n")) == [1, 0, 0, 0, 1, 0, 0]
    assert chars.sample_stats(text, set())["speaker_lines"] == pytest.approx(2 / 5)
    spans = chars.span_features(text)
    named = "".join(c for c, n in zip(text, spans["in_name"]) if n)
    assert named == "ROMEO:\nJULIET:\n"


def test_gradient_check_of_the_tanh_cell_on_65_characters():
    """min-char-rnn's backprop is chapter 3's: right for any number of classes."""
    params = cell.init_params(num_classes=65, state_size=5, seed=1)
    rng = np.random.default_rng(2)
    x, y = rng.integers(0, 65, (2, 6)), rng.integers(0, 65, (2, 6))
    state = rng.normal(size=(2, 5)) * 0.5
    errors = gradcheck.gradient_check(params, x, y, state)
    assert max(errors.values()) < 1e-7


def test_adagrad_train_step_learns_and_read_carries_the_state():
    params = cell.init_params(num_classes=4, state_size=8, seed=0)
    text = np.tile([0, 1, 2, 3, 2, 1], 50)
    step = charrnn.make_train_step(params, 0.1)
    state, losses = np.zeros((2, 8)), []
    for _ in range(3):
        for start in range(0, 140, 10):
            x = np.stack([text[start : start + 10], text[150 + start : 160 + start]])
            y = np.stack(
                [text[start + 1 : start + 11], text[151 + start : 161 + start]]
            )
            loss, state = step(x, y, state)
            losses.append(loss)
    assert np.mean(losses[-5:]) < 0.3 * np.mean(losses[:5])
    states, step_losses = charrnn.read(params, text, num_steps=7)
    one_pass_states, logits = cell.forward(params, text[None, :-1], np.zeros((1, 8)))
    np.testing.assert_allclose(states, one_pass_states[0], atol=1e-12)
    want = -np.take_along_axis(cell.log_softmax(logits[0]), text[1:, None], 1)[:, 0]
    np.testing.assert_allclose(step_losses, want, atol=1e-12)
    ids, last = charrnn.sample(params, np.zeros(8), 0, 30, np.random.default_rng(0))
    again, _ = charrnn.sample(params, np.zeros(8), 0, 30, np.random.default_rng(0))
    assert np.array_equal(ids, again) and last.shape == (8,)


def test_blas_threads_can_be_set():
    before = blas.blas_threads()
    if before is None:
        pytest.skip("no OpenBLAS in this process")
    assert blas.set_blas_threads(1) and blas.blas_threads() == 1
    blas.set_blas_threads(before)
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        blas.set_blas_threads(0)
