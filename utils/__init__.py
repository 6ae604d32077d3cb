"""Shared helpers of *Token Embeddings, hands-on*.

Modules, by topic: ``data`` (offline-first data files), ``tokenizer`` (GPT-2 BPE), ``word_vectors``
(pretrained vectors), ``windows`` (sliding-window batching), ``positional`` (position encodings),
``plots`` (the course's figure style), ``exercises`` (exercise checks).
"""
