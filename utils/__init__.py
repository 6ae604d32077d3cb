"""Shared helpers of *Token Embeddings, hands-on*, one topic per module.

Data and text:
    ``data``            named data files, offline first (committed, cached, mirrored or downloaded)
    ``download``        one bounded, atomic, verified download (used by ``data.fetch``)
    ``tokenizer``       GPT-2's byte-pair encoding, built offline from ``data/gpt2.tiktoken``
    ``token_ids``       ``check_token_ids``: token IDs checked before an embedding lookup
    ``windows``         sliding-window input/target pairs and the DataLoader (notebook 04)
Word vectors:
    ``word_vectors``    loading pretrained vectors (GloVe, word2vec) and unknown-word messages
    ``glove_check``     cheap checks that the shipped GloVe files are the published ones
    ``similarity``      cosine similarity and analogies written out by hand (notebook 01)
    ``analogy_eval``    the Google analogy test set answered in batches on tensors
    ``word2vec``        skip-gram with negative sampling as two ``nn.Embedding`` tables (notebook 06)
    ``word2vec_data``   its training examples: corpus, vocabulary, subsampling, pairs, negatives
Embeddings inside a model:
    ``lookup_cost``     an embedding lookup measured against the one-hot × weight product (notebook 03)
    ``positional``      learned, sinusoidal, RoPE and ALiBi position information (notebook 05)
    ``pretrained``      the embedding tables of a real trained transformer (all-MiniLM-L6-v2), offline
    ``tiny_transformer`` a tiny causal transformer that differs only in its position method
Course infrastructure:
    ``validation``      argument checks with one contract: TypeError for a wrong type, ValueError for a value
    ``plots``           the course's figure style
    ``environment``     installed package versions against the tested ones
    ``exercises``       exercise checks with friendly feedback (one module per notebook)

Every module imports ``_guard`` first, which stops with a message naming both paths when another ``utils``
(a ``utils.py`` or ``utils/`` folder earlier on the search path) shadows this package.
"""

from . import _guard  # noqa: F401  (the check runs on import)
