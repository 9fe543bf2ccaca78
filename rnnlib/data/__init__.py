"""Data and the mathematics of the tasks: framework-free (NumPy only).

- ``echo``: the echo task's generator (and the original article's, bit for bit).
- ``theory``: expected cross-entropies, the floors, naming what a model has learned.
- ``batching``: cutting a long sequence into rows and windows for truncated backprop.
- ``download``: where each data set lives (``RNNLIB_DATA/<name>`` or the cache), and a
  download that is verified, atomic and bounded in time.
- ``mnist``: the MNIST digits, read from the four IDX files (downloaded and verified).
- ``shakespeare``: Tiny Shakespeare, one string, and its 90/10 split.
- ``chars``: characters as classes, bits and perplexity, sampling, sample statistics.
- ``ngram``: interpolated Witten-Bell n-gram models, the language models' baselines.
- ``padded``: sequences of different lengths in one batch: padding, lengths, masks.
- ``sequences``: variable-length tasks from the echo task (labelling stretches,
  classifying echo rules) and the best possible scores on them.
- ``truncation``: the two styles of truncated backprop (TF style and true n-step), the
  windows each trains on, and what a trained model learned of each echo.
"""
