"""IntegerLookup and StringLookup: a vocabulary of tokens mapped to contiguous indices.

Keras 3's index-lookup rules, on NumPy: the vocabulary starts with the mask token (index 0,
`output_mode='int'` only), then `num_oov_indices` OOV slots, then the tokens. `adapt`
learns the tokens by frequency (ties: the larger token first), capped at `max_tokens`;
OOV values go to one slot, or are spread by `floormod` (integers) or FarmHash64 /
SipHash64 under a `salt`. 'one_hot', 'multi_hot', 'count' and 'tf_idf' encode the indices
(the mask is dropped there); `invert=True` maps indices back to tokens.

Keras keeps an adapted vocabulary in the archive's assets; neuroflow's archives have no
assets, so `get_config` carries it (with `has_input_vocabulary=False`, so the reloaded
layer can still be adapted). A vocabulary file is read when the layer is constructed, never
from a config: loading a model reads no other file.
"""

from __future__ import annotations

import collections
import os
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.hashing import _RawInputs
from neuroflow.layers.string_hash import fingerprint64, siphash24

__all__ = ["IntegerLookup", "StringLookup"]

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}
_MASK_DROPPED = -1  # index of a mask token in the encoded modes: counted nowhere


class _IndexLookup(_RawInputs):
    """The lookup shared by IntegerLookup (int64 tokens) and StringLookup (str tokens)."""

    _kind = "integer"

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any,
                 oov_token: Any, vocabulary: Any, idf_weights: Any, invert: bool,
                 output_mode: str, sparse: bool, pad_to_max_tokens: bool, oov_method: str,
                 salt: Any, name: str | None, dtype: Any = None, trainable: bool = True,
                 vocabulary_size: int | None = None, has_input_vocabulary: bool | None = None,
                 **kwargs: Any):
        super().__init__(name=name, dtype=dtype, trainable=trainable, **kwargs)
        label = f"{type(self).__name__} layer '{self.name}'"
        if max_tokens is not None and (not _is_int(max_tokens) or max_tokens <= 1):
            raise ValueError(f"{label}: if set, max_tokens must be an integer greater than 1, "
                             f"received max_tokens={max_tokens!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{label}: pad_to_max_tokens=True needs max_tokens, received "
                             "max_tokens=None")
        if not _is_int(num_oov_indices) or num_oov_indices < 0:
            raise ValueError(f"{label}: num_oov_indices must be an integer >= 0, received "
                             f"num_oov_indices={num_oov_indices!r}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{label}: oov_method must be 'floormod' or 'farmhash', "
                             f"received {oov_method!r}")
        output_mode = _ALIASES.get(output_mode, output_mode)
        if output_mode not in _MODES:
            raise ValueError(f"{label}: output_mode must be one of {_MODES}, received "
                             f"{output_mode!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{label}: invert=True needs output_mode='int', received "
                             f"output_mode={output_mode!r}")
        if sparse:
            raise ValueError(f"{label}: sparse=True needs sparse tensors, which neuroflow "
                             "does not have; use sparse=False")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{label}: idf_weights only applies to output_mode='tf_idf', "
                             f"received output_mode={output_mode!r}")
        self.salt = self._check_salt(salt, oov_method, label)
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = None if mask_token is None else self._token(mask_token)
        self.oov_token = None if oov_token is None else self._token(oov_token)
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self._frozen_vocab_size = vocabulary_size
        self._has_input_vocabulary = (vocabulary is not None if has_input_vocabulary is None
                                      else bool(has_input_vocabulary))
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._tokens = self._empty()
        self._index: dict = {}
        self.idf_weights: np.ndarray | None = None
        self._adapted_idf: np.ndarray | None = None
        self._counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(f"{label}: with a vocabulary and output_mode='tf_idf', "
                             "idf_weights must be given too")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- tokens of this kind ---------------------------------------------------------
    def _token(self, value: Any) -> Any:
        raise NotImplementedError

    def _tokens_of(self, data: Any) -> np.ndarray:
        raise NotImplementedError

    def _empty(self) -> np.ndarray:
        raise NotImplementedError

    def _read_file(self, path: str) -> list:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return [self._token(line) for line in lines]

    def _check_salt(self, salt: Any, oov_method: str, label: str) -> list[int] | None:
        if salt is None:
            return None
        if self._kind == "integer" and oov_method != "farmhash":
            raise ValueError(f"{label}: salt only applies to oov_method='farmhash', received "
                             f"oov_method={oov_method!r}")
        if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(map(_is_int, salt)):
            return [int(s) for s in salt]
        if _is_int(salt):
            return [int(salt), int(salt)]
        raise ValueError(f"{label}: salt must be an integer or a pair of integers, received "
                         f"salt={salt!r}")

    # ---- indices ---------------------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The size of the vocabulary, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary; with the special tokens, a term's position is its index."""
        specials = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        vocab = specials + [_plain(t) for t in self._tokens]
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    # ---- the vocabulary --------------------------------------------------------------
    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use `vocabulary` (an array, a list, or the path of a file with one token a line)
        and, for output_mode='tf_idf', its `idf_weights`; replaces any vocabulary."""
        label = f"{type(self).__name__} layer '{self.name}'"
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{label}: idf_weights must be set with output_mode='tf_idf'")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{label}: idf_weights only applies to output_mode='tf_idf', "
                             f"received output_mode={self.output_mode!r}")
        if isinstance(vocabulary, (str, os.PathLike)):
            if self.output_mode == "tf_idf":
                raise ValueError(f"{label}: output_mode='tf_idf' cannot read its vocabulary "
                                 "from a file; pass the tokens and idf_weights")
            if not os.path.isfile(vocabulary):
                raise ValueError(f"{label}: vocabulary file {vocabulary} does not exist")
            self._install(self._tokens_of(self._read_file(os.fspath(vocabulary))), label)
            return
        vocab = self._tokens_of(vocabulary.data if isinstance(vocabulary, Tensor) else vocabulary)
        if vocab.ndim != 1 or vocab.size == 0:
            raise ValueError(f"{label}: the vocabulary must be a non-empty 1-D list of tokens, "
                             f"received shape {vocab.shape}")
        start = self._token_start_index()
        specials = [self.mask_token] * self._oov_start_index() + \
            [self.oov_token] * self.num_oov_indices
        found_specials = len(vocab) >= start and \
            [_plain(t) for t in vocab[:start]] == specials
        tokens = vocab[start:] if found_specials else vocab
        repeated = [t for t, n in collections.Counter(tokens.tolist()).items() if n > 1]
        if repeated:
            raise ValueError(f"{label}: the vocabulary repeats the terms {repeated}; every "
                             "term must appear once")
        for special, what in ((self.mask_token, "mask_token"),
                              (self.oov_token if self.invert else None, "oov_token")):
            if special is not None and special in tokens.tolist():
                raise ValueError(
                    f"{label}: {what}={special!r} found inside the vocabulary; leave the mask "
                    "and OOV tokens out of it, or put them only at its start, in this order: "
                    f"{specials}")
        self._install(tokens, label)
        if idf_weights is not None:
            weights = np.asarray(idf_weights.data if isinstance(idf_weights, Tensor)
                                 else idf_weights, dtype=np.float64)
            if weights.ndim != 1 or len(weights) != len(vocab):
                raise ValueError(f"{label}: idf_weights must be 1-D with one weight per "
                                 f"vocabulary term ({len(vocab)}), received shape "
                                 f"{weights.shape}")
            if not found_specials:
                weights = np.concatenate([np.full(start, weights.mean()), weights])
            self._set_idf(weights)

    def _install(self, tokens: np.ndarray, label: str) -> None:
        size = self._token_start_index() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{label}: the vocabulary has {size} terms with the special "
                             f"tokens, more than max_tokens={self.max_tokens}")
        self._tokens = tokens
        start = self._token_start_index()
        self._index = {t: start + i for i, t in enumerate(tokens.tolist())}
        self._record_vocabulary_size()

    def _set_idf(self, weights: np.ndarray) -> None:
        """`weights` covers the vocabulary with its special tokens; padded with zeros to
        max_tokens under pad_to_max_tokens."""
        self._adapted_idf = np.asarray(weights, dtype=np.float64)
        if self.pad_to_max_tokens:
            weights = np.pad(weights, (0, self.max_tokens - len(weights)))
        self.idf_weights = np.asarray(weights, dtype=self.dtype)

    def _record_vocabulary_size(self) -> None:
        size = self.vocabulary_size()
        if self.output_mode != "int" and not self.pad_to_max_tokens \
                and self._frozen_vocab_size is not None and size != self._frozen_vocab_size:
            raise RuntimeError(
                f"{type(self).__name__} layer '{self.name}': with output_mode="
                f"'{self.output_mode}' and pad_to_max_tokens=False the vocabulary size cannot "
                f"change once set; it was {self._frozen_vocab_size}, the new one is {size}")
        self._frozen_vocab_size = size

    # ---- adapt -----------------------------------------------------------------------
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary from `data` (an array or list: each row one document; or
        an iterable of batches), the most frequent tokens first, at most max_tokens."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, Tensor)):
            array = self._tokens_of(data.data if isinstance(data, Tensor) else data)
            self.update_state(array[:, None] if array.ndim == 1 else array)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Count the tokens of one batch (each row a document)."""
        if self._has_input_vocabulary:
            raise ValueError(f"{type(self).__name__} layer '{self.name}': cannot adapt after "
                             "a vocabulary was set with `vocabulary` or set_vocabulary()")
        array = self._tokens_of(data.data if isinstance(data, Tensor) else data)
        if array.ndim < 2:
            array = array.reshape(1, -1)
        self._counts.update(array.ravel().tolist())
        if self.output_mode == "tf_idf":
            for doc in array.reshape(array.shape[0], -1):
                self._document_counts.update(set(doc.tolist()))
            self._num_documents += array.shape[0]

    def finalize_state(self) -> None:
        """Turn the counts into the vocabulary (and the idf weights)."""
        if self._has_input_vocabulary or not self._counts:
            self._record_vocabulary_size()
            return
        for special in (self.mask_token, self.oov_token):
            self._counts.pop(special, None)
        tokens = self._tokens_of(list(self._counts))
        counts = np.array([self._counts[t] for t in tokens.tolist()], dtype=np.int64)
        order = np.lexsort((tokens, counts))[::-1]
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        tokens = tokens[order]
        self._install(tokens, f"{type(self).__name__} layer '{self.name}'")
        if self.output_mode == "tf_idf":
            docs = np.array([self._document_counts[t] for t in tokens.tolist()], np.float64)
            idf = np.log(1.0 + self._num_documents / (1.0 + docs)).astype(self.dtype)
            fill = float(idf.mean()) if idf.size else 0.0
            self._set_idf(np.concatenate([np.full(self._token_start_index(), fill), idf]))
        self.reset_state()

    def reset_state(self) -> None:
        """Forget the counts gathered by update_state."""
        self._counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # ---- call ------------------------------------------------------------------------
    def call(self, inputs: Any) -> Tensor:
        label = f"{type(self).__name__} layer '{self.name}'"
        if self.output_mode != "int" and not self.pad_to_max_tokens \
                and self._frozen_vocab_size is None:
            raise RuntimeError(f"{label}: with output_mode='{self.output_mode}' and "
                               "pad_to_max_tokens=False, set the vocabulary (the `vocabulary` "
                               "argument or adapt()) before calling the layer")
        raw = inputs.data if isinstance(inputs, Tensor) else inputs
        if self.invert:
            return Tensor(self._invert(np.asarray(raw)))
        values = self._tokens_of(raw)
        indices = self._lookup(values, label)
        if self.output_mode == "int":
            return Tensor(indices)
        return Tensor(self._encode(indices, label))

    def _lookup(self, values: np.ndarray, label: str) -> np.ndarray:
        if values.size == 0:
            return np.zeros(values.shape, dtype=np.int64)
        uniques, inverse = np.unique(values.ravel(), return_inverse=True)
        mask_index = 0 if self.output_mode == "int" else _MASK_DROPPED
        found = []
        oov = []
        for u in uniques.tolist():
            if self.mask_token is not None and u == self.mask_token:
                found.append(mask_index)
            elif u in self._index:
                found.append(self._index[u])
            else:
                found.append(self._oov_index(u))
                oov.append(u)
        if oov and self.num_oov_indices == 0:
            raise ValueError(f"{label}: with num_oov_indices=0 every input must be in the "
                             f"vocabulary, found out-of-vocabulary values {oov[:10]}; set "
                             "num_oov_indices=1 to map them to an OOV index")
        return np.asarray(found, dtype=np.int64)[inverse].reshape(values.shape)

    def _oov_index(self, value: Any) -> int:
        n = self.num_oov_indices
        if n <= 1:
            return self._oov_start_index()
        if self._kind == "integer" and self.oov_method == "floormod":
            return int(value) % n + self._oov_start_index()
        data = (str(int(value)) if self._kind == "integer" else value).encode("utf-8")
        digest = siphash24(self.salt, data) if self.salt else fingerprint64(data)
        return digest % n + self._oov_start_index()

    def _invert(self, indices: np.ndarray) -> np.ndarray:
        if indices.dtype.kind == "f":
            indices = indices.astype(np.int64)
        if indices.dtype.kind not in "iu":
            raise ValueError(f"{type(self).__name__} layer '{self.name}': invert=True maps "
                             f"integer indices to tokens, received dtype {indices.dtype}")
        table = np.asarray(self.get_vocabulary(), dtype=self._tokens.dtype
                           if self._kind == "integer" else object)
        oov = self.oov_token
        out = np.empty(indices.shape, dtype=table.dtype)
        inside = (indices >= self._token_start_index()) & (indices < len(table))
        out[...] = oov if oov is not None else (-1 if self._kind == "integer" else "")
        out[inside] = table[indices[inside]]
        if self.mask_token is not None:
            out[indices == 0] = self.mask_token
        return out if self._kind == "integer" else out.astype(str)

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _encode(self, indices: np.ndarray, label: str) -> np.ndarray:
        depth = self._depth()
        if indices.ndim == 0:
            indices = indices[None]
        if self.output_mode == "one_hot":
            if indices.ndim > 1 and indices.shape[-1] == 1:
                indices = indices[..., 0]
            out = np.zeros(indices.shape + (depth,), dtype=self.dtype)
            keep = indices >= 0
            out[(*np.nonzero(keep), indices[keep])] = 1
            return out
        if indices.ndim > 2:
            raise ValueError(f"{label}: with output_mode='{self.output_mode}' the inputs must "
                             f"be of rank 1 or 2, received shape {indices.shape}")
        rows = indices.reshape(-1, indices.shape[-1])
        out = np.zeros((rows.shape[0], depth), dtype=np.float64)
        for r, row in enumerate(rows):
            row = row[row >= 0]
            np.add.at(out[r], row, 1.0)
        if self.output_mode == "multi_hot":
            out = np.minimum(out, 1.0)
        elif self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError(f"{label}: output_mode='tf_idf' needs idf_weights: adapt() "
                                 "the layer or give them with the vocabulary")
            out = out * self.idf_weights
        out = out.astype(self.dtype)
        return out[0] if indices.ndim == 1 else out

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (depth,)
        return shape[:-1] + (depth,)

    # ---- config ----------------------------------------------------------------------
    def get_config(self) -> dict:
        adapted = not self._has_input_vocabulary and len(self._tokens) > 0
        vocabulary = self.input_vocabulary
        idf = self.input_idf_weights
        if adapted or (vocabulary is None and self._has_input_vocabulary):
            vocabulary = self.get_vocabulary()  # an adapted vocabulary, or a file's tokens
            idf = None if self._adapted_idf is None else self._adapted_idf.tolist()
        return {
            **super().get_config(),
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": _plain(self.oov_token),
            "mask_token": _plain(self.mask_token), "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "idf_weights": _listify(idf), "vocabulary": _listify(vocabulary),
            "vocabulary_size": self._frozen_vocab_size, "salt": self.salt,
            "has_input_vocabulary": self._has_input_vocabulary,
        }

    @classmethod
    def from_config(cls, config: dict) -> _IndexLookup:
        if isinstance(config.get("vocabulary"), str):
            raise ValueError(f"{cls.__name__}: a config may not name a vocabulary file "
                             f"({config['vocabulary']!r}): loading reads no other file; "
                             "give the tokens as a list")
        return cls(**config)

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config: dict) -> None:
        self.built = True


class IntegerLookup(_IndexLookup):
    """Integer tokens -> indices (or encoded vectors); see the module docstring."""

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: int | None = None, oov_token: int = -1, vocabulary: Any = None,
                 vocabulary_dtype: str = "int64", idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod",
                 salt: Any = None, name: str | None = None, **kwargs: Any):
        if vocabulary_dtype != "int64":
            raise ValueError(f"IntegerLookup: only vocabulary_dtype='int64' is supported, "
                             f"received vocabulary_dtype={vocabulary_dtype!r}")
        self.vocabulary_dtype = "int64"
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
                         oov_method, salt, name, **kwargs)

    def _token(self, value: Any) -> int:
        if isinstance(value, str):
            return int(value.strip())
        if not _is_int(value) and not (isinstance(value, float) and value.is_integer()):
            raise ValueError(f"IntegerLookup layer '{self.name}': tokens must be integers, "
                             f"received {value!r}")
        return int(value)

    def _tokens_of(self, data: Any) -> np.ndarray:
        array = np.asarray(data)
        if array.dtype.kind == "f":
            if not np.all(np.isfinite(array)) or not np.array_equal(np.rint(array), array):
                raise ValueError(f"IntegerLookup layer '{self.name}': expected integer "
                                 "tokens, received non-integer numbers")
            array = array.astype(np.int64)
        if array.dtype.kind not in "iub":
            raise ValueError(f"IntegerLookup layer '{self.name}': expected integer tokens, "
                             f"received dtype {array.dtype}")
        return array.astype(np.int64)

    def _empty(self) -> np.ndarray:
        return np.zeros(0, dtype=np.int64)

    def get_config(self) -> dict:
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype,
                "oov_method": self.oov_method}


class StringLookup(_IndexLookup):
    """String tokens -> indices (or encoded vectors); OOV strings spread by FarmHash64
    (SipHash64 under a `salt`); bytes are decoded with `encoding`."""

    _kind = "string"

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1,
                 mask_token: str | None = None, oov_token: str = "[UNK]",
                 vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False,
                 sparse: bool = False, encoding: str = "utf-8", name: str | None = None,
                 salt: Any = None, **kwargs: Any):
        self.encoding = encoding
        self.vocabulary_dtype = "string"
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
                         "farmhash", salt, name, **kwargs)

    def _token(self, value: Any) -> str:
        if isinstance(value, bytes):
            return value.decode(self.encoding)
        if not isinstance(value, str):
            raise ValueError(f"StringLookup layer '{self.name}': tokens must be strings, "
                             f"received {value!r}")
        return str(value)

    def _tokens_of(self, data: Any) -> np.ndarray:
        array = np.asarray(data)
        if array.dtype.kind == "S" or array.dtype.kind == "O":
            flat = [self._token(v) for v in array.ravel().tolist()]
            array = np.array(flat, dtype=str).reshape(array.shape) if flat else \
                np.zeros(array.shape, dtype=str)
        if array.dtype.kind != "U":
            raise ValueError(f"StringLookup layer '{self.name}': expected string tokens, "
                             f"received dtype {array.dtype}")
        return array

    def _empty(self) -> np.ndarray:
        return np.zeros(0, dtype=str)

    def get_config(self) -> dict:
        return {**super().get_config(), "encoding": self.encoding}


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """A token as a Python int or str (JSON-ready)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.str_):
        return str(value)
    return value


def _listify(value: Any) -> Any:
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
