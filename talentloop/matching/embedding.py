"""Text embeddings for the semantic criterion, computed offline. Pure Python, no Django.

The model is the static embedding model shipped inside the `tokenlearn-static-model` wheel
(PyPI, version 0.1.1; import name `static_model`): a Model2Vec-format static model ("10k/64d/int8":
a 276k-entry Unigram tokenizer whose token vectors are quantised to 10,000 shared 64-dimension
int8 vectors), run by the wheel's own Rust encoder (tokenizers + safetensors; the SBOM in its
dist-info lists only MIT/Apache crates). The weights are files of the wheel
(`static_model/model/`), so nothing is fetched at run time and no PyTorch is needed. The wheel
states no licence for the weights; that has to be settled before a release ships them.

Why this model and not all-MiniLM-L6-v2 (int8 ONNX): it embeds 230-300 whole resumes (about 800
words, cut at 512 tokens) or 1,300-1,400 200-word profiles per second on one busy core here,
against 19-45 texts/s for MiniLM, so 100k profiles take minutes, not hours. It is weaker alone
(0.24 nDCG@10 on livecareer query-by-example, where BM25 gets 0.34 and MiniLM is reported at
about BM25's level) but it still adds to the fused score (0.404 -> 0.412 there; on the FERR
keyword queries it is the strongest single signal). MiniLM could not be measured here: its
wheel ships no tokenizer and none can be fetched. A static model averages token vectors, so a
text's vector does not depend on the rest of the batch: the same text always gets the same
vector.

Vectors are 64 floats, unit length, as tuples (hashable, immutable, JSON-friendly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_NAME = "tokenlearn-static-model 0.1.1 (Model2Vec static, 64 dims, int8)"
DIMENSIONS = 64
# Texts longer than this many tokens are cut: a resume's first pages say what it is about.
MAX_TOKENS = 512

Vector = tuple[float, ...]


class EmbeddingUnavailable(RuntimeError):
    """The embedding package is not installed (the semantic criterion is then not assessed)."""


@lru_cache(maxsize=1)
def _encoder() -> tuple[Any, str]:
    try:
        # On first use: the import maps the weights. The package ships no type hints.
        import static_model  # type: ignore[import-untyped]
        from static_model import _static_model
    except ImportError as error:
        raise EmbeddingUnavailable(
            "The embedding model is not installed: install the tokenlearn-static-model package."
        ) from error
    model_dir = static_model.ensure_model_ready(Path(static_model.__file__).parent / "model")
    return _static_model.encode_batch, str(model_dir)


def _unit(values: Sequence[float]) -> Vector:
    norm = math.sqrt(sum(v * v for v in values))
    return tuple(v / norm for v in values) if norm else tuple(0.0 for _ in values)


def embed(texts: Sequence[str]) -> list[Vector]:
    """One unit-length vector per text, in order. An empty text gets the zero vector.

    Raises EmbeddingUnavailable when the model package is missing, TypeError on a non-string.
    """
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not one string.")
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"embed() takes strings, got {type(text).__name__}.")
    if not texts:
        return []
    encode, model_dir = _encoder()
    raw = encode(model_dir, list(texts), MAX_TOKENS)
    return [
        _unit(vector) if text.strip() else tuple(0.0 for _ in range(DIMENSIONS))
        for text, vector in zip(texts, raw, strict=True)
    ]


def similarity(a: Vector, b: Vector) -> float:
    """Cosine of two unit vectors (0 when either is the zero vector)."""
    if len(a) != len(b):
        raise ValueError(f"Vectors of different sizes: {len(a)} and {len(b)}.")
    return sum(x * y for x, y in zip(a, b, strict=True))
