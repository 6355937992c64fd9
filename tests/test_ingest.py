"""Ingestion into the store: formats, encodings, bad input, duplicates, re-indexing, crashes."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from indexer.passages import MAX_WORDS, chunk_spans
from indexer.pipeline import NothingIndexed
from search.errors import IndexVersionMismatch, InputNotFound, NotAnIndex
from search.store import MANIFEST, Store
from tests.conftest import REPO, build_index

# From data/sample/README.md: (title, outlet, published) of every sample article.
SAMPLE_EXPECTED = {
    ("البنتاغون: نحو 10 آلاف جندي كوري شمالي يتدربون في شرق روسيا", "صحيفة الأفق الجديد", "2024-10-28"),
    (
        "واشنطن: قرابة عشرة آلاف جندي كوري شمالي في روسيا وكييف تحذر من «مرحلة جديدة» للحرب",
        "وكالة المشرق للأنباء",
        "2024-10-29",
    ),
    ("14 قتيلاً و37 مصاباً في سيول جارفة تضرب محافظة السهل الشرقي", "صحيفة صدى الجنوب", "2024-11-13"),
    ("وزير الدفاع الكوري الجنوبي: بيونغ يانغ أرسلت أكثر من ألف صاروخ إلى روسيا", "قناة الضفاف الإخبارية", "2024-11-21"),
    (
        "الاستخبارات الأوكرانية: ما يصل إلى 11 ألف جندي كوري شمالي وصلوا إلى منطقة كورسك",
        "وكالة الواحة للأنباء",
        "2024-11-04",
    ),
    ("الشروق يقلب الطاولة على الرمال ويعزز صدارته للدوري", "موقع الملعب العربي", "2025-03-16"),
    ("بوتين يوقّع قانون المصادقة على معاهدة الدفاع المشترك مع كوريا الشمالية", "موقع البوصلة نيوز", "2024-11-10"),
    (
        "الاستخبارات الكورية الجنوبية: ما يصل إلى 11 ألف جندي كوري شمالي يقاتلون إلى جانب روسيا",
        "جريدة الرائد اليومية",
        "2025-01-14",
    ),
    ("«اللؤلؤة للموانئ» تحقق أرباحاً قياسية في 2024", "صحيفة النخيل الاقتصادية", "2025-02-20"),
    ("شركة ناشئة عربية تطلق نموذجاً لغوياً مفتوح المصدر يفهم اللهجات المحلية", "بوابة التقنية العربية", "2025-04-08"),
    ("توقعات بحصاد 1.3 مليون طن من القمح في محافظة الهضبة الغربية", "وكالة السنابل للأنباء", "2025-05-20"),
    ("معرض «واحة الكتاب» الدولي يفتح أبوابه بمشاركة 850 دار نشر", "مجلة المدى الثقافية", "2025-05-03"),
    (
        "حصاد 2024: كيف انتقلت العلاقة بين موسكو وبيونغ يانغ من التعاون إلى التحالف العسكري",
        "موقع الرصد الدولي",
        "2024-12-18",
    ),
    ("البنتاغون: 10,000 جندي كوري شمالي في روسيا وبعضهم يتحرك نحو كورسك", "شبكة المنارة الإخبارية", "2024-10-31"),
}

ARTICLE = textwrap.dedent(
    """\
    الرئيسية
    سياسة
    عنوان تجريبي عن اجتماع وزراء الزراعة العرب في العاصمة
    تاريخ النشر: 12 مارس 2025

    اجتمع وزراء الزراعة العرب في العاصمة لبحث خطة مشتركة لمواجهة الجفاف الذي ضرب المنطقة خلال الموسم الماضي، وأكدوا أهمية التعاون في إدارة المياه.

    وقال رئيس الاجتماع إن الخطة تتضمن إنشاء صندوق إقليمي بقيمة 500 مليون دولار لدعم المزارعين المتضررين في الدول الأعضاء خلال ثلاث سنوات.

    المصدر: صحيفة التجربة
    التعليقات
    قارئ: خبر مهم جدا ونتمنى أن تنفذ الخطة بسرعة وأن يستفيد منها صغار المزارعين في القرى البعيدة.
    """
)


def snapshot(index: Path) -> tuple:
    """Everything a user could see of an index."""
    with Store.open(index) as store:
        docs = sorted((d.doc_id, d.title, d.outlet, d.published, d.text) for d in store.iter_documents())
        passages = sorted((p.passage_id, p.doc_id, p.start, p.end) for p in store.iter_passages())
        stats = store.stats()
        stats.pop("created_at")
        return docs, passages, stats


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the sample corpus


def test_sample_corpus_indexes_cleanly(tmp_path: Path, sample_dir: Path) -> None:
    report = build_index([sample_dir], tmp_path / "ix")
    assert report.problems == []
    assert report.documents_added == 14
    with Store.open(tmp_path / "ix") as store:
        got = {(d.title, d.outlet, d.published.isoformat()) for d in store.iter_documents()}
        texts = "\n".join(d.text for d in store.iter_documents())
    assert got == SAMPLE_EXPECTED
    for junk in ("الرئيسية\n", "اقرأ أيضاً", "مقالات ذات صلة", "شارك هذا المقال", "جميع الحقوق محفوظة", "التعليقات"):
        assert junk not in texts


def test_reindexing_the_same_files_changes_nothing(tmp_path: Path, sample_dir: Path) -> None:
    index = tmp_path / "ix"
    build_index([sample_dir], index)
    before = snapshot(index)
    manifest_before = (index / MANIFEST).read_bytes()
    report = build_index([sample_dir], index)
    assert (report.documents_added, report.documents_replaced, report.documents_removed) == (0, 0, 0)
    assert report.files_unchanged == report.files_read + report.files_unchanged  # nothing re-parsed
    assert snapshot(index) == before
    assert (index / MANIFEST).read_bytes() == manifest_before


def test_a_touched_but_identical_file_is_a_no_op(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    page = src / "page.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    index = tmp_path / "ix"
    build_index([src], index)
    before = snapshot(index)
    page.write_text(ARTICLE + "\n\n", encoding="utf-8")  # new bytes, same article
    report = build_index([src], index)
    assert report.documents_unchanged == 1 and report.documents_added == 0
    assert snapshot(index) == before


# ------------------------------------------------------------------ encodings and formats


@pytest.mark.parametrize("encoding", ["cp1256", "iso-8859-6"])
def test_legacy_arabic_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    text = ARTICLE.replace("،", ",") if encoding == "iso-8859-6" else ARTICLE
    text = text.replace("ً", "")  # ISO-8859-6 has no room for every mark; keep what it can encode
    page = tmp_path / f"legacy-{encoding}.txt"
    page.write_bytes(text.encode(encoding))
    with pytest.raises(UnicodeDecodeError):
        page.read_bytes().decode("utf-8")
    build_index([page], tmp_path / "ix")
    with Store.open(tmp_path / "ix") as store:
        (doc,) = list(store.iter_documents())
    assert doc.title == "عنوان تجريبي عن اجتماع وزراء الزراعة العرب في العاصمة"
    assert "صندوق إقليمي بقيمة 500 مليون دولار" in doc.text
    assert doc.outlet == "صحيفة التجربة" and doc.published.isoformat() == "2025-03-12"
    assert "قارئ" not in doc.text


def test_windows_1256_html_page_in_the_sample(tmp_path: Path, sample_dir: Path) -> None:
    page = next((sample_dir / "html").glob("*cp1256*.html"))
    build_index([page], tmp_path / "ix")
    with Store.open(tmp_path / "ix") as store:
        (doc,) = list(store.iter_documents())
    assert doc.outlet == "جريدة الرائد اليومية"
    assert "11 ألف جندي" in doc.text


def test_html_page_boilerplate_and_metadata(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text(
        """<!doctype html><html lang="ar" dir="rtl"><head><title>عنوان | موقع</title>
        <meta property="og:site_name" content="موقع الاختبار">
        <meta property="article:published_time" content="2024-11-02T09:30:00+03:00">
        <link rel="canonical" href="https://example.test/a/1"><style>p{color:red}</style></head>
        <body><header><nav><a href="/">الرئيسية</a><a href="/s">سياسة</a></nav></header>
        <article><h1>اجتماع وزراء الزراعة العرب يقر خطة لمواجهة الجفاف</h1>
        <figure><img src="x.jpg"><figcaption>الوزراء خلال الاجتماع (رويترز)</figcaption></figure>
        <p>اجتمع وزراء الزراعة العرب في العاصمة لبحث خطة <strong>مشتركة</strong> لمواجهة الجفاف الذي ضرب المنطقة، وأكدوا أهمية التعاون.</p>
        <p>وقال رئيس الاجتماع إن الخطة تتضمن <a href="/f">صندوقاً إقليمياً</a> بقيمة 500 مليون دولار لدعم المزارعين المتضررين.</p>
        <script>var x = "نص برمجي لا يجب أن يظهر";</script></article>
        <aside class="related-articles"><a href="/b">خبر آخر لا علاقة له بالموضوع المطروح هنا أبدا ولا يجب أن يظهر</a></aside>
        <div class="comments"><p>تعليق قارئ طويل بما يكفي ليبدو فقرة كاملة من نص المقال لكنه ليس منه أبدا.</p></div>
        <footer>جميع الحقوق محفوظة © 2024</footer></body></html>""",
        encoding="utf-8",
    )
    build_index([html], tmp_path / "ix")
    with Store.open(tmp_path / "ix") as store:
        (doc,) = list(store.iter_documents())
    assert doc.title == "اجتماع وزراء الزراعة العرب يقر خطة لمواجهة الجفاف"
    assert (doc.outlet, doc.published.isoformat(), doc.url) == (
        "موقع الاختبار",
        "2024-11-02",
        "https://example.test/a/1",
    )
    assert "خطة مشتركة لمواجهة الجفاف" in doc.text and "صندوقاً إقليمياً بقيمة" in doc.text
    for junk in ("نص برمجي", "خبر آخر", "تعليق قارئ", "جميع الحقوق", "color:red", "الوزراء خلال الاجتماع", "سياسة"):
        assert junk not in doc.text


def test_json_lines_field_names_gz_and_bad_lines(tmp_path: Path) -> None:
    body = "اجتمع وزراء الزراعة العرب في العاصمة لبحث خطة مشتركة لمواجهة الجفاف الذي ضرب المنطقة خلال الموسم الماضي."
    records = [
        {"title": "أ", "content": body, "url": "https://a.test/1", "source": "صحيفة أ", "date": "2024-10-31"},
        {
            "title": "ب",
            "text": body.replace("الزراعة", "المياه"),
            "link": "https://b.test/2",
            "src": "موقع ب",
            "published": "2024-12-18T14:05:00+02:00",
        },
        {
            "title": "ج",
            "body": body.replace("الزراعة", "الصحة"),
            "outlet": "قناة ج",
            "date_extracted": "2015-07-21 02:51:32",
        },
        {
            "headline": "د",
            "article": body.replace("الزراعة", "النقل"),
            "publisher": {"name": "وكالة د"},
            "time": 1700000000,
        },
    ]
    raw = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    raw = raw + "{this is not json\n" + json.dumps({"title": "no text"}) + "\n"
    gz = tmp_path / "feed.jsonl.gz"
    gz.write_bytes(gzip.compress(raw.encode("utf-8")))
    report = build_index([gz], tmp_path / "ix")
    assert report.documents_added == 4
    assert [p.message for p in report.problems] == [
        "line 5: invalid JSON (Expecting property name enclosed in double quotes), skipped"
    ]
    with Store.open(tmp_path / "ix") as store:
        got = sorted(
            (d.title, d.outlet, d.published.isoformat() if d.published else None, d.url) for d in store.iter_documents()
        )
    assert got == [
        ("أ", "صحيفة أ", "2024-10-31", "https://a.test/1"),
        ("ب", "موقع ب", "2024-12-18", "https://b.test/2"),
        ("ج", "قناة ج", "2015-07-21", None),
        ("د", "وكالة د", "2023-11-14", None),
    ]


# ------------------------------------------------------------------ bad input leaves the index as it was


def test_binary_empty_and_unreadable_files_are_reported_and_skipped(tmp_path: Path, sample_dir: Path) -> None:
    index = tmp_path / "ix"
    build_index([sample_dir / "pages"], index)
    before = snapshot(index)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 20)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.html").write_text("   \n\n", encoding="utf-8")
    (bad / "latin1.txt").write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e \xe0 la fran\xe7aise".encode("latin-1") * 3)
    with pytest.raises(NothingIndexed) as caught:
        build_index([bad], index)
    messages = {Path(p.path).name: p.message for p in caught.value.report.problems}
    assert messages["photo.jpg"].startswith("binary file")
    assert messages["empty.txt"].startswith("empty file")
    assert messages["blank.html"].startswith("empty file")
    assert "re-save it as UTF-8" in messages["latin1.txt"]
    assert "as it was" in str(caught.value)
    assert snapshot(index) == before


def test_a_bad_file_among_good_ones_does_not_stop_the_run(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (src / "b.bin").write_bytes(b"\x00\x01\x02" * 100)
    report = build_index([src], tmp_path / "ix")
    assert report.documents_added == 1 and report.files_failed == 1
    assert [Path(p.path).name for p in report.problems] == ["b.bin"]


def test_missing_path_fails_before_touching_the_index(tmp_path: Path, sample_dir: Path) -> None:
    index = tmp_path / "ix"
    build_index([sample_dir / "feeds"], index)
    before = snapshot(index)
    with pytest.raises(InputNotFound, match="no such file or directory: .*nope"):
        build_index([sample_dir / "pages", tmp_path / "nope"], index)
    assert snapshot(index) == before


def test_only_bad_input_creates_no_index(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(NothingIndexed, match="no index was created"):
        build_index([tmp_path / "empty.txt"], tmp_path / "ix")
    assert not (tmp_path / "ix").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["empty.txt"]  # no half-built directory left


def test_a_directory_that_is_not_an_index_is_refused(tmp_path: Path, sample_dir: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x", encoding="utf-8")
    with pytest.raises(NotAnIndex, match="not a Mizan index"):
        build_index([sample_dir / "feeds"], tmp_path / "notes")
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["todo.txt"]


# ------------------------------------------------------------------ crashes and versions


def test_interrupt_in_the_middle_leaves_the_previous_state(tmp_path: Path, sample_dir: Path, monkeypatch) -> None:
    import indexer.pipeline as pipeline

    index = tmp_path / "ix"
    build_index([sample_dir / "feeds"], index)
    before = snapshot(index)
    real_ingest = pipeline.ingest
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index([sample_dir], index)
    assert calls["n"] == 4
    assert snapshot(index) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]


@pytest.mark.parametrize("existing", [True, False])
def test_process_killed_in_the_middle_leaves_the_previous_state(
    tmp_path: Path, sample_dir: Path, existing: bool
) -> None:
    index = tmp_path / "ix"
    if existing:
        build_index([sample_dir / "feeds"], index)
        before = snapshot(index)
    script = textwrap.dedent(
        f"""
        import os, signal
        import indexer.pipeline as pipeline
        real, n = pipeline.ingest, [0]
        def dying(*a, **k):
            n[0] += 1
            if n[0] == 6:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*a, **k)
        pipeline.ingest = dying
        pipeline.index_paths([{str(sample_dir)!r}], {str(index)!r}, progress=False, embed=False)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    if existing:
        assert snapshot(index) == before
    else:
        assert not index.exists()
    # and the next run completes normally
    report = build_index([sample_dir], index)
    assert report.documents_added == 14 - (4 if existing else 0)
    assert not [p for p in tmp_path.iterdir() if p.name != "ix"]


def test_index_from_another_normaliser_version_is_refused_then_rebuilt(tmp_path: Path, sample_dir: Path) -> None:
    index = tmp_path / "ix"
    build_index([sample_dir / "pages"], index)
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    manifest["normaliser_version"] = 0
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match=r"normaliser v0.*v1.*mizan index --rebuild"):
        Store.open(index)
    with pytest.raises(IndexVersionMismatch):
        build_index([sample_dir / "feeds"], index)
    report = build_index([], index, rebuild=True)  # re-reads the recorded files
    assert report.documents_added == 6
    with Store.open(index) as store:
        assert store.manifest.normaliser_version == 1
        assert store.stats()["documents"] == 6


def test_index_from_another_format_version_is_refused(tmp_path: Path, sample_dir: Path) -> None:
    index = tmp_path / "ix"
    build_index([sample_dir / "feeds"], index)
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    manifest["format_version"] = 99
    (index / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexVersionMismatch, match="format 99"):
        Store.open(index)


# ------------------------------------------------------------------ duplicates, updates, passages


def _body(n: int) -> str:
    words = [
        "أعلنت",
        "الحكومة",
        "اليوم",
        "عن",
        "خطة",
        "جديدة",
        "لدعم",
        "المزارعين",
        "في",
        "المناطق",
        "المتضررة",
        "من",
        "الجفاف",
        "وتشمل",
        "قروضا",
        "ميسرة",
        "وبذورا",
        "محسنة",
    ]
    return " ".join(words[(i * 7 + n) % len(words)] for i in range(60)) + "."


def test_exact_and_near_duplicate_documents_are_not_stored_twice(tmp_path: Path) -> None:
    text = _body(0) + "\n\n" + _body(1)
    near = text.replace("المزارعين", "الفلاحين", 1)
    feed = write_jsonl(
        tmp_path / "f.jsonl",
        [
            {"title": "خطة الدعم", "text": text, "url": "https://a.test/1", "source": "أ"},
            {"title": "خطة الدعم", "text": text, "url": "https://b.test/1", "source": "ب"},
            {"title": "خطة الدعم", "text": near, "url": "https://c.test/1", "source": "ج"},
        ],
    )
    report = build_index([feed], tmp_path / "ix")
    assert (report.documents_added, report.duplicates_exact, report.duplicates_near) == (1, 1, 1)
    with Store.open(tmp_path / "ix") as store:
        stats = store.stats()
        dup_outlets = sorted(r[0] for r in store.conn.execute("SELECT outlet FROM duplicates"))
    assert (stats["documents"], stats["duplicate_documents"]) == (1, 2)
    assert dup_outlets == ["ب", "ج"]  # who else published it is kept


def test_repeated_passages_are_not_stored_twice(tmp_path: Path) -> None:
    shared_paragraph = (
        "وأوضح المتحدث باسم وزارة الصحة أن المستشفيات استقبلت عشرات المصابين خلال الليلة الماضية، وأن فرق الإسعاف "
        "ما زالت تعمل في الأحياء الشرقية للمدينة بحثا عن ناجين تحت الأنقاض. وأضاف أن الوزارة فتحت مراكز مؤقتة "
        "لاستقبال العائلات التي فقدت منازلها، ودعا المواطنين إلى التبرع بالدم في أقرب مستشفى."
    )
    feed = write_jsonl(
        tmp_path / "f.jsonl",
        [
            {"title": "أ", "text": _body(0) + "\n\n" + shared_paragraph, "url": "https://a.test/1"},
            {
                "title": "ب",
                "text": "قال وزير الخارجية إن المحادثات مع الجانب الآخر كانت صريحة وبناءة وتناولت ملفات عدة. " * 5
                + "\n\n"
                + shared_paragraph.replace("اليوم", "اليومَ"),
                "url": "https://b.test/1",
            },
        ],
    )
    report = build_index([feed], tmp_path / "ix")
    assert report.documents_added == 2 and report.passages_duplicate == 1
    with Store.open(tmp_path / "ix") as store:
        ids = [p.passage_id for p in store.iter_passages()]
    assert len(ids) == len(set(ids)) == 3


def test_changed_and_removed_articles_are_updated(tmp_path: Path) -> None:
    feed = tmp_path / "f.jsonl"
    write_jsonl(
        feed,
        [
            {"title": "أ", "text": _body(0), "url": "https://a.test/1"},
            {"title": "ب", "text": _body(5), "url": "https://a.test/2"},
        ],
    )
    index = tmp_path / "ix"
    build_index([feed], index)
    write_jsonl(
        feed,
        [{"title": "أ", "text": _body(0) + " وأضاف الوزير أن التنفيذ يبدأ الشهر المقبل.", "url": "https://a.test/1"}],
    )
    report = build_index([feed], index)
    assert (report.documents_replaced, report.documents_removed, report.documents_added) == (1, 1, 1)
    with Store.open(index) as store:
        (doc,) = list(store.iter_documents())
        assert doc.text.endswith("يبدأ الشهر المقبل.")
        assert store.stats()["passages"] == len(store.passages_of(doc.doc_id))


def test_passages_are_sized_for_the_embedding_model_and_slice_the_text() -> None:
    long_paragraph = " ".join(f"جملة رقم {i} عن الموضوع نفسه تنتهي هنا." for i in range(120))
    text = "فقرة قصيرة أولى.\n\nفقرة قصيرة ثانية.\n\n" + long_paragraph + "\n\nخاتمة."
    spans = chunk_spans(text)
    assert len(spans) >= 4
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip() and len(piece.split()) <= MAX_WORDS
    assert text[spans[0][0] : spans[0][1]].startswith("فقرة قصيرة أولى.\n\nفقرة قصيرة ثانية.")  # merged
    covered = "".join(text[s:e] for s, e in spans)
    assert covered.replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_a_duplicate_survives_when_its_original_changes(tmp_path: Path) -> None:
    text = _body(0) + "\n\n" + _body(1)
    a = write_jsonl(tmp_path / "a.jsonl", [{"title": "الأصل", "text": text, "url": "https://a.test/1", "source": "أ"}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"title": "الأصل", "text": text, "url": "https://b.test/1", "source": "ب"}])
    index = tmp_path / "ix"
    build_index([a, b], index)
    write_jsonl(
        a,
        [
            {
                "title": "تصحيح",
                "text": "نص آخر تماما عن موضوع مختلف كتبه المحرر بعد التصحيح. " * 8,
                "url": "https://a.test/1",
                "source": "أ",
            }
        ],
    )
    report = build_index([a], index)  # b.jsonl is not among the inputs: it is re-read anyway
    assert report.documents_replaced == 1
    with Store.open(index) as store:
        outlets = sorted(d.outlet for d in store.iter_documents())
    assert outlets == ["أ", "ب"]  # b's copy is now a document of its own, not lost


def test_a_second_writer_is_told_to_wait(tmp_path: Path, sample_dir: Path, monkeypatch) -> None:
    import search.store as store_module
    from search.errors import IndexBusy
    from search.store import IndexWriter

    index = tmp_path / "ix"
    build_index([sample_dir / "feeds"], index)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    with IndexWriter(index):  # holds the write lock
        with pytest.raises(IndexBusy, match="another process"):
            build_index([sample_dir / "pages"], index)
        with Store.open(index) as reader:  # readers are not blocked
            assert reader.stats()["documents"] == 4


def test_same_wording_with_other_figures_is_not_a_duplicate(tmp_path: Path) -> None:
    template = (
        "أغلق مؤشر سوق الأسهم السعودية تعاملات اليوم على ارتفاع بلغ {} نقطة ليصل إلى مستوى {} نقطة، "
        "وسط تداولات بلغت قيمتها {} مليار ريال، وارتفعت أسهم {} شركة وتراجعت أسهم شركات أخرى في القطاعات كافة."
    )
    feed = write_jsonl(
        tmp_path / "f.jsonl",
        [
            {"title": "السوق", "text": template.format(35, 9120, 4.2, 80), "url": "https://a.test/1"},
            {"title": "السوق", "text": template.format(12, 9132, 3.9, 61), "url": "https://a.test/2"},
            {
                "title": "السوق",
                "text": template.format(35, 9120, 4.2, 80) + " وقال محلل إن السوق مستقرة.",
                "url": "https://b.test/1",
            },
        ],
    )
    report = build_index([feed], tmp_path / "ix")
    assert (report.documents_added, report.duplicates_near) == (2, 1)


def test_a_rebuild_killed_between_its_renames_loses_nothing(tmp_path: Path, sample_dir: Path) -> None:
    """kill -9 after the live index was moved aside and before the new one took its place: the next
    run (of any command) puts the old index back and goes on from it, never deleting it."""
    from search.store import Store, _old_copy

    index = tmp_path / "index"
    build_index([sample_dir], index)
    before = Store.open(index).stats()["documents"]
    os.replace(index, _old_copy(index))  # the state the first rename leaves
    assert not index.exists()

    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"title": "خبر جديد", "text": "قتل 5 أشخاص في حادث سير على الطريق السريع."}\n', encoding="utf-8")
    build_index([extra], index)  # an ordinary run after the crash
    assert Store.open(index).stats()["documents"] == before + 1
    assert not _old_copy(index).exists()

    # killed after the second rename, before the old copy was removed: the new index is kept
    shutil.copytree(index, _old_copy(index))
    build_index([extra], index)
    assert not _old_copy(index).exists() and Store.open(index).stats()["documents"] == before + 1

    # a reader finds it too
    os.replace(index, _old_copy(index))
    assert Store.open(index).stats()["documents"] == before + 1


def test_an_interrupt_after_the_commit_is_reported_as_saved(
    tmp_path: Path, sample_dir: Path, monkeypatch, capsys
) -> None:
    """Ctrl-C while the run tidies up after its commit: the documents are stored, and the command says so."""
    from search import store as store_module
    from search.backends.local import LexicalComponent
    from web.cli import main

    index = tmp_path / "ix"
    build_index([sample_dir / "feeds"], index)
    before = Store.open(index).stats()["documents"]

    def interrupted(self, index_dir, meta):
        raise KeyboardInterrupt

    monkeypatch.setattr(LexicalComponent, "after_commit", interrupted)
    code = main(["index", str(sample_dir), "--index", str(index), "--no-embed", "--quiet"])
    err = capsys.readouterr().err
    assert code == 130 and "interrupted after this run was saved" in err
    assert Store.open(index).stats()["documents"] > before
    assert [index] == store_module.SAVED


def test_a_document_whose_every_passage_repeats_another_is_recorded_as_its_copy(tmp_path: Path) -> None:
    """Stored but unfindable no more: a reprint under another title, all of whose passages repeat the
    original's, is a duplicate with its outlet kept (who else ran the story), not an empty document."""
    from indexer.pipeline import index_records

    # Text: ANT Corpus v1.1, JA-internationalNews-161-20150911 (Jawhara FM, Apache-2.0)
    body = (
        "ذكر الموقع الرسمي للدفاع المدني السعودي على حساب التواصل الاجتماعي «تويتر» أن عدد الوفيات بلغ حتى "
        "الآن 107 أشخاص، فيما بلغ عدد المصابين 238 مصابًا إثر سقوط رافعة في الحرم المكي."
    )
    index = tmp_path / "index"
    build_index(
        [
            _write(
                tmp_path / "a.jsonl", {"url": "https://a.example/1", "source": "أ", "title": "سقوط رافعة", "text": body}
            )
        ],
        index,
    )
    report, outcomes = index_records(
        [{"url": "https://b.example/9", "source": "ب", "title": "عنوان آخر تماما لخبر الحرم", "text": body}], index
    )
    (outcome,) = outcomes
    assert outcome.status == "duplicate" and report.documents_added == 0 and report.duplicates_near == 1
    store = Store.open(index)
    assert store.stats()["documents"] == 1
    assert store.copy_outlets(store.passage_ids()) == {store.passage_ids()[0]: ["ب"]}


def _write(path: Path, record: dict) -> Path:
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
