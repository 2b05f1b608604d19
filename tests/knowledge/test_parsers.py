"""Parsing source files into documents, and listing the files of a data source."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from podium.errors import InvalidInput
from podium.knowledge._parsers import (
    SUPPORTED_SUFFIXES,
    ParseError,
    RecordFormat,
    coerce_metadata_value,
    html_to_text,
    normalize_datetime,
    parse_file,
)
from podium.knowledge._sources import SourceFile, iter_source_files


def source(path: Path) -> SourceFile:
    (only,) = iter_source_files([path])
    return only


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF, one Helvetica text line per page, with a correct xref table."""
    objects: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{4 + 2 * k} 0 R" for k in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for k, line in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * k} 0 R >>".encode()
        )
        objects.append(
            b"<< /Length "
            + str(len(content)).encode()
            + b" >>\nstream\n"
            + content
            + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


# --------------------------------------------------------------------------- sources


def test_iter_source_files_walks_sorted_and_skips_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b" / "two.md", "x")
    write(tmp_path / "a" / "one.txt", "x")
    write(tmp_path / "a" / "deep" / "three.json", "[]")
    write(tmp_path / ".git" / "config.txt", "x")
    write(tmp_path / "a" / ".secret.txt", "x")
    files = iter_source_files([tmp_path])
    assert [f.relative_path for f in files] == ["a/deep/three.json", "a/one.txt", "b/two.md"]
    for f in files:
        assert f.root == tmp_path.absolute()
        assert f.uri == f.path.resolve().as_uri()
        assert f.uri.startswith("file:///")
    hidden = iter_source_files([tmp_path], include_hidden=True)
    assert {f.relative_path for f in hidden} >= {".git/config.txt", "a/.secret.txt"}


def test_iter_source_files_include_exclude_globs(tmp_path: Path) -> None:
    write(tmp_path / "top.md", "x")
    write(tmp_path / "talks" / "intro.md", "x")
    write(tmp_path / "talks" / "draft-intro.md", "x")
    write(tmp_path / "talks" / "notes.txt", "x")
    write(tmp_path / "talks" / "2024" / "keynote.md", "x")

    def rel(include: tuple[str, ...], exclude: tuple[str, ...] = ()) -> list[str]:
        return [f.relative_path for f in iter_source_files([tmp_path], include, exclude)]

    # "**/" also matches zero directories.
    assert rel(("**/*.md",)) == [
        "talks/2024/keynote.md",
        "talks/draft-intro.md",
        "talks/intro.md",
        "top.md",
    ]
    assert rel(("*.md",)) == ["top.md"]  # "*" stays within one segment
    assert rel(("talks/*",)) == ["talks/draft-intro.md", "talks/intro.md", "talks/notes.txt"]
    assert rel(("talks/**",), ("**/draft-*", "**/*.txt")) == [
        "talks/2024/keynote.md",
        "talks/intro.md",
    ]
    assert rel(("**/[!d]*.md",)) == ["talks/2024/keynote.md", "talks/intro.md", "top.md"]
    assert rel(("**/*.pdf",)) == []


def test_iter_source_files_named_file_and_dedup(tmp_path: Path) -> None:
    one = write(tmp_path / "docs" / "one.txt", "x")
    files = iter_source_files([one, tmp_path / "docs", one], include=("**/*.md",))
    # A file named directly is kept whatever the globs say, and listed once.
    assert [f.path for f in files] == [one.absolute()]
    assert files[0].root == one.absolute().parent


def test_iter_source_files_missing_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InvalidInput, match="does not exist") as info:
        iter_source_files([tmp_path, missing])
    assert str(missing) in info.value.message


def test_uri_is_percent_encoded(tmp_path: Path) -> None:
    f = source(write(tmp_path / "my notes #1.txt", "hello"))
    assert f.uri.endswith("/my%20notes%20%231.txt")
    (doc,) = parse_file(f).documents
    assert doc.uri == f.uri


# --------------------------------------------------------------------------- text formats


def test_plain_text_and_markdown(tmp_path: Path) -> None:
    txt = source(write(tmp_path / "a.txt", b"\xef\xbb\xbfline one\r\nline two\r\n"))
    (doc,) = parse_file(txt).documents
    assert doc.text == "line one\nline two\n"
    assert doc.metadata == {}
    assert doc.uri == txt.uri
    md_text = "# Title\n\nSome *emphasis* and `code`.\n\n- item\n"
    (md,) = parse_file(source(write(tmp_path / "b.MD", md_text))).documents
    assert md.text == md_text


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    f = source(write(tmp_path / "w.txt", "héllo wörld".encode("utf-16")))
    assert parse_file(f).documents[0].text == "héllo wörld"


def test_undecodable_bytes_fail(tmp_path: Path) -> None:
    f = source(write(tmp_path / "bad.txt", b"ok \xc3\x28 more"))
    with pytest.raises(ParseError, match=r"not valid UTF-8 text \(byte 3\)"):
        parse_file(f)


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"unsupported file type '\.docx'") as info:
        parse_file(source(write(tmp_path / "x.docx", b"PK")))
    assert isinstance(info.value, InvalidInput)
    assert ".docx" not in SUPPORTED_SUFFIXES
    assert {".txt", ".md", ".html", ".pdf", ".json", ".jsonl", ".csv"} <= SUPPORTED_SUFFIXES


HTML = """<!DOCTYPE html>
<html><head><title>Page title</title>
<style>body { color: red }</style>
<script>document.write("<p>injected</p>");</script>
</head>
<body>
<!-- a comment that must not show -->
<h1>Tom &amp; Jerry&#39;s  guide</h1>
<p>First   paragraph
   wraps here &eacute;l&egrave;ve &mdash; ok&nbsp;done.</p>
<ul><li>one</li><li>two</li></ul>
<noscript>enable javascript</noscript>
<template><p>hidden template</p></template>
<table><tr><th>Day</th><th>Room</th></tr><tr><td>Mon</td><td>A1</td></tr></table>
<div>tail<br>after break</div>
<script type="module">import x from "y"; console.log("<b>");</script>
</body></html>
"""


def test_html_visible_text(tmp_path: Path) -> None:
    (doc,) = parse_file(source(write(tmp_path / "page.html", HTML))).documents
    assert doc.text == (
        "Tom & Jerry's guide\n\n"
        # Entities decoded; &nbsp; collapses like any other white space.
        "First paragraph wraps here élève — ok done.\n\n"
        "one\ntwo\n\n"
        "Day Room\nMon A1\n\n"
        "tail\nafter break"
    )
    for hidden in ("Page title", "color", "injected", "comment", "javascript", "template", "<"):
        assert hidden not in doc.text


def test_html_without_closing_head_still_shows_body() -> None:
    assert html_to_text("<html><head><title>t</title><body><p>visible</p>") == "visible"


def test_html_pre_keeps_line_breaks() -> None:
    text = html_to_text("<p>code:</p><pre>def f():\n    return 1</pre><p>end</p>")
    assert text == "code:\n\ndef f():\n    return 1\n\nend"


# --------------------------------------------------------------------------- PDF


def test_pdf_text_of_all_pages(tmp_path: Path) -> None:
    data = make_pdf(["Hello PDF world.", "Second page text."])
    (doc,) = parse_file(source(write(tmp_path / "doc.pdf", data))).documents
    assert doc.text == "Hello PDF world.\n\nSecond page text."
    assert doc.metadata == {}


def test_corrupt_pdf_fails(tmp_path: Path) -> None:
    random_bytes = source(write(tmp_path / "random.pdf", os.urandom(2048)))
    with pytest.raises(ParseError, match="corrupt PDF"):
        parse_file(random_bytes)
    data = make_pdf(["Hello PDF world."])
    truncated = source(write(tmp_path / "truncated.pdf", data[: len(data) // 3]))
    with pytest.raises(ParseError, match="PDF"):
        parse_file(truncated)


def test_encrypted_pdf_fails_unless_password_empty(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret text."]))))
        writer.encrypt(user_password=user_password, owner_password="owner")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    locked = source(write(tmp_path / "locked.pdf", encrypted("secret")))
    with pytest.raises(ParseError, match="encrypted PDF"):
        parse_file(locked)
    open_pdf = source(write(tmp_path / "open.pdf", encrypted("")))
    assert parse_file(open_pdf).documents[0].text == "Secret text."


def test_pdf_without_text_fails(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no extractable text"):
        parse_file(source(write(tmp_path / "blank.pdf", make_pdf([""]))))


# --------------------------------------------------------------------------- records

SESSIONS: list[dict[str, Any]] = [
    {
        "id": "S-101",
        "title": "Vector search at scale",
        "abstract": "How we index a billion vectors.",
        "track": "Data",
        "level": 300,
        "start": "2024-05-01T10:00:00Z",
        "tags": ["search", "vectors"],
        "speakers": [
            {"name": "Ana Silva", "title": "CTO", "company": "Acme"},
            {"name": "Bo Chen", "title": "Engineer", "company": "Initech"},
        ],
    },
    {
        "id": "S-102",
        "title": "Serverless agents",
        "abstract": "Agents without servers.",
        "track": "AI",
        "level": "200",
        "start": "2024-05-01 14:30:00+02:00",
        "tags": ["agents"],
        "speakers": [],
    },
]

SESSION_FORMAT = RecordFormat(
    text_fields=["abstract", "speakers", "tags"],
    metadata_fields={
        "track": "string",
        "level": "number",
        "start": "datetime",
        "tags": "string_list",
    },
    id_field="id",
    title_field="title",
)


def test_json_catalog_with_declared_format(tmp_path: Path) -> None:
    f = source(write(tmp_path / "sessions.json", json.dumps(SESSIONS)))
    result = parse_file(f, SESSION_FORMAT)
    assert result.failures == []
    first, second = result.documents
    assert first.uri == f.uri + "#S-101"
    assert first.text == (
        "Vector search at scale\n"
        "How we index a billion vectors.\n"
        "Ana Silva, CTO, Acme; Bo Chen, Engineer, Initech\n"
        "search, vectors"
    )
    assert first.metadata == {
        "track": "Data",
        "level": 300,
        "start": "2024-05-01T10:00:00+00:00",
        "tags": ["search", "vectors"],
    }
    assert second.metadata["level"] == 200  # coerced from the string "200"
    assert second.metadata["start"] == "2024-05-01T14:30:00+02:00"
    assert second.text == "Serverless agents\nAgents without servers.\nagents"


def test_json_wrapper_object_and_single_object(tmp_path: Path) -> None:
    wrapped = {"event": "PodConf", "year": 2024, "sessions": SESSIONS}
    f = source(write(tmp_path / "wrapped.json", json.dumps(wrapped)))
    result = parse_file(f, SESSION_FORMAT)
    assert [d.uri.rsplit("#", 1)[1] for d in result.documents] == ["S-101", "S-102"]
    single = source(write(tmp_path / "single.json", json.dumps({"title": "Only", "body": "x"})))
    (doc,) = parse_file(single).documents
    assert doc.uri == single.uri + "#0"
    assert doc.text == "Only\nx"


def test_json_ambiguous_and_scalar_fail(tmp_path: Path) -> None:
    both = {"a": [{"x": "1"}], "b": [{"y": "2"}]}
    with pytest.raises(ParseError, match="ambiguous"):
        parse_file(source(write(tmp_path / "both.json", json.dumps(both))))
    with pytest.raises(ParseError, match="not int"):
        parse_file(source(write(tmp_path / "scalar.json", "42")))


def test_truncated_json_fails_with_position(tmp_path: Path) -> None:
    text = json.dumps(SESSIONS, indent=2)
    f = source(write(tmp_path / "cut.json", text[: len(text) // 2]))
    with pytest.raises(ParseError, match=r"invalid JSON at line \d+ column \d+"):
        parse_file(f, SESSION_FORMAT)


def test_bad_record_values_fail_only_that_record(tmp_path: Path) -> None:
    records = [
        {**SESSIONS[0]},
        {**SESSIONS[1], "level": "advanced"},
        {**SESSIONS[1], "id": "S-103", "start": "next tuesday"},
        {"title": "no id", "abstract": "x"},
        {**SESSIONS[0], "title": "duplicate id"},
        "not an object",
    ]
    f = source(write(tmp_path / "mixed.json", json.dumps(records)))
    result = parse_file(f, SESSION_FORMAT)
    assert [d.uri for d in result.documents] == [f.uri + "#S-101"]
    assert result.failures == [
        (f.uri + "#S-102", "field 'level' is not a valid number: not a number: 'advanced'"),
        (
            f.uri + "#S-103",
            "field 'start' is not a valid datetime: "
            "not an ISO-8601 date or datetime: 'next tuesday'",
        ),
        (f.uri + "#3", "record has no usable id field 'id'"),
        (f.uri + "#4", "duplicate id 'S-101'"),
        (f.uri + "#5", "record is not an object but str"),
    ]


def test_inferred_metadata_and_default_text(tmp_path: Path) -> None:
    record: dict[str, Any] = {
        "id": "k1",
        "title": "Keynote",
        "description": "A long description. " * 20,
        "room": "Main hall",
        "capacity": 500,
        "rating": 4.5,
        "recorded": True,
        "when": "2024-05-02",
        "starts": "2024-05-02T09:00Z",
        "tags": ["ai", "opening"],
        "venue": {"city": "Lisbon", "country": "PT"},
        "empty": "",
    }
    f = source(write(tmp_path / "k.json", json.dumps([record])))
    (doc,) = parse_file(f, RecordFormat(id_field="id", title_field="title")).documents
    assert doc.uri == f.uri + "#k1"
    assert doc.metadata == {
        "id": "k1",
        "title": "Keynote",
        "room": "Main hall",
        "capacity": 500,
        "rating": 4.5,
        "recorded": True,
        "when": "2024-05-02",
        "starts": "2024-05-02T09:00:00+00:00",
        "tags": ["ai", "opening"],
    }
    # Text: title first, then textual fields in record order; not the id, numbers or dates.
    assert doc.text == "\n".join(
        ["Keynote", record["description"].strip(), "Main hall", "ai, opening", "Lisbon, PT"]
    )


def test_declared_metadata_is_left_out_of_default_text(tmp_path: Path) -> None:
    record = {"id": "x", "track": "AI", "abstract": "About agents.", "speakers": [{"n": "Ana"}]}
    f = source(write(tmp_path / "d.json", json.dumps([record])))
    fmt = RecordFormat(metadata_fields={"track": "string"}, id_field="id")
    (doc,) = parse_file(f, fmt).documents
    assert doc.metadata == {"track": "AI"}
    assert doc.text == "About agents.\nAna"


def test_other_suffixes(tmp_path: Path) -> None:
    (md,) = parse_file(source(write(tmp_path / "a.markdown", "# T\n"))).documents
    assert md.text == "# T\n"
    (htm,) = parse_file(source(write(tmp_path / "b.htm", "<p>x &lt; y</p>"))).documents
    assert htm.text == "x < y"


def test_record_without_text_fails(tmp_path: Path) -> None:
    f = source(write(tmp_path / "n.json", json.dumps([{"n": 1}, {"n": 2, "body": "text"}])))
    result = parse_file(f)
    assert [d.text for d in result.documents] == ["text"]
    assert result.failures == [(f.uri + "#0", "record has no text")]


def test_jsonl_bad_line_is_a_record_failure(tmp_path: Path) -> None:
    lines = [
        json.dumps(SESSIONS[0]),
        '{"id": "S-999", "title": "broken',
        "",
        json.dumps(SESSIONS[1]),
    ]
    f = source(write(tmp_path / "s.jsonl", "\n".join(lines) + "\n"))
    result = parse_file(f, SESSION_FORMAT)
    assert [d.uri for d in result.documents] == [f.uri + "#S-101", f.uri + "#S-102"]
    assert len(result.failures) == 1
    uri, reason = result.failures[0]
    assert uri == f.uri + "#2"
    assert reason.startswith("invalid JSON at line 2: ")


def test_jsonl_positions_are_line_numbers(tmp_path: Path) -> None:
    f = source(write(tmp_path / "p.jsonl", '\n{"t": "a"}\n\n{"t": "b"}\n'))
    assert [d.uri for d in parse_file(f).documents] == [f.uri + "#2", f.uri + "#4"]


CSV = (
    "id,title,abstract,track,level,start,tags,recorded\n"
    "C1,Intro to RAG,Basics of retrieval.,AI,100,2024-05-01T09:00:00,rag; basics,yes\n"
    'C2,"Scaling, safely","Multi-line\nabstract.",Ops,,2024-05-01,ops,false\n'
    "C3,Bad level,x,AI,lots,2024-05-01,,no\n"
    "C4,Too many,x,AI,1,2024-05-01,,no,extra\n"
)


def test_csv_with_typed_metadata(tmp_path: Path) -> None:
    f = source(write(tmp_path / "s.csv", CSV))
    fmt = RecordFormat(
        text_fields=["abstract"],
        metadata_fields={
            "track": "string",
            "level": "number",
            "start": "datetime",
            "tags": "string_list",
            "recorded": "boolean",
        },
        id_field="id",
        title_field="title",
    )
    result = parse_file(f, fmt)
    c1, c2 = result.documents
    assert c1.uri == f.uri + "#C1"
    assert c1.text == "Intro to RAG\nBasics of retrieval."
    assert c1.metadata == {
        "track": "AI",
        "level": 100,
        "start": "2024-05-01T09:00:00",
        "tags": ["rag", "basics"],
        "recorded": True,
    }
    assert c2.text == "Scaling, safely\nMulti-line\nabstract."
    # An empty cell is a missing value, not an error.
    assert c2.metadata == {
        "track": "Ops",
        "start": "2024-05-01",
        "tags": ["ops"],
        "recorded": False,
    }
    assert result.failures == [
        (f.uri + "#C3", "field 'level' is not a valid number: not a number: 'lots'"),
        (f.uri + "#4", "row 4 has more fields than the header"),
    ]


def test_csv_without_format_infers_strings_and_dates(tmp_path: Path) -> None:
    f = source(write(tmp_path / "s.csv", CSV))
    doc = parse_file(f).documents[0]
    assert doc.uri == f.uri + "#1"
    assert doc.metadata["level"] == "100"  # CSV numbers stay strings unless declared
    assert doc.metadata["start"] == "2024-05-01T09:00:00"
    assert doc.text.startswith("C1\nIntro to RAG\nBasics of retrieval.\nAI\n100\n")


def test_record_ids_are_quoted_in_uris(tmp_path: Path) -> None:
    f = source(write(tmp_path / "q.json", json.dumps([{"id": "a b#c/d", "t": "x"}])))
    (doc,) = parse_file(f, RecordFormat(id_field="id")).documents
    assert doc.uri == f.uri + "#a%20b%23c/d"


def test_unknown_metadata_type_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="unknown type 'integer'"):
        RecordFormat(metadata_fields={"n": "integer"})  # type: ignore[dict-item]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-01", "2024-05-01"),
        ("2024-05-01T10:00", "2024-05-01T10:00:00"),
        ("2024-05-01T10:00:05.123456", "2024-05-01T10:00:05"),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
        ("2024-05-01 23:59:59-0530", "2024-05-01T23:59:59-05:30"),
        (0, "1970-01-01T00:00:00+00:00"),
    ],
)
def test_normalize_datetime(raw: str | int, expected: str) -> None:
    assert normalize_datetime(raw) == expected


def test_normalized_datetimes_sort_as_strings() -> None:
    raw = ["2024-05-02T08:00:00", "2024-05-01T23:00:00", "2024-05-01T09:30:00", "2023-12-31"]
    normalized = sorted(normalize_datetime(r) for r in raw)
    assert normalized == [
        "2023-12-31",
        "2024-05-01T09:30:00",
        "2024-05-01T23:00:00",
        "2024-05-02T08:00:00",
    ]


@pytest.mark.parametrize("bad", ["tomorrow", "2024-13-01", "2024-05-01T25:00", "", True])
def test_normalize_datetime_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        normalize_datetime(bad)  # type: ignore[arg-type]


def test_coerce_metadata_value_rules() -> None:
    assert coerce_metadata_value("3.5", "number") == 3.5
    assert coerce_metadata_value(7, "string") == "7"
    assert coerce_metadata_value('["a", 1]', "string_list") == ["a", "1"]
    assert coerce_metadata_value("0", "boolean") is False
    for value, kind in [
        (True, "number"),
        ("nan", "number"),
        ("1_000", "number"),
        ({"a": 1}, "string"),
        ("maybe", "boolean"),
        ([{"a": 1}], "string_list"),
    ]:
        with pytest.raises(ValueError):
            coerce_metadata_value(value, kind)  # type: ignore[arg-type]
