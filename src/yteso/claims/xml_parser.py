"""Streaming, safe parser for QĐ 130 submissions: GIAMDINHHS envelopes, batches, single tables.

The outer stream is read with iterparse and every HOSO is dropped once turned into an
`Episode`, so memory follows one episode, not the batch. Each NOIDUNGFILE is base64 of a
whole inner XML document, parsed the same safe way. defusedxml refuses any DTD, so entity
expansion (billion laughs) and external entities (XXE) are never expanded nor fetched.
Inner documents: xml_documents.

Nothing here raises on bad input: every problem becomes a `Finding`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from yteso.claims import specs
from yteso.claims.envelope import ClaimDocument, Envelope, Episode
from yteso.claims.findings import Finding, Where
from yteso.claims.xml_documents import (
    DECLARED_ENCODING,
    parse_document,
    parse_hoso,
    text_of,
    unreadable,
)

ENVELOPE_ROOT = "GIAMDINHHS"
_HEADER = {"MACSKCB", "NGAYLAP", "SOLUONGHOSO"}


@dataclass(slots=True)
class ParsedEpisode:
    """One HOSO with the header of its envelope (known before DANHSACHHOSO)."""

    envelope_index: int
    facility_code: str
    created: str
    episode: Episode
    findings: list[Finding] = field(default_factory=list)
    digest: str = ""  # SHA-256 of the inner documents as sent
    in_envelope: bool = True  # False for a HOSO outside any GIAMDINHHS


@dataclass(slots=True)
class EnvelopeEnd:
    """The end of one GIAMDINHHS: its header, the signature and envelope-level findings."""

    envelope_index: int
    facility_code: str
    created: str
    declared_count: str
    episode_count: int
    signature: str | None
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class SingleDocument:
    """A file holding one inner table document instead of an envelope."""

    document: ClaimDocument | None
    findings: list[Finding] = field(default_factory=list)


ParseEvent = ParsedEpisode | EnvelopeEnd | SingleDocument


class _Stream:
    """State of one pass over a submission stream."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.envelope_index = 0
        self.header: dict[str, str] = {}
        self.signature: str | None = None
        self.episode_count = 0
        self.stack: list[Element] = []

    def episode(self, element: Element) -> ParsedEpisode:
        episode, findings, digest = parse_hoso(element, self.file)
        self.episode_count += 1
        return ParsedEpisode(
            self.envelope_index,
            self.header.get("MACSKCB", ""),
            self.header.get("NGAYLAP", ""),
            episode,
            findings,
            digest,
            any(e.tag == ENVELOPE_ROOT for e in self.stack),
        )

    def end_envelope(self) -> EnvelopeEnd:
        declared = self.header.get("SOLUONGHOSO", "")
        findings = []
        if declared.strip() != str(self.episode_count):
            findings.append(
                Where(self.file).finding(
                    "COUNT_MISMATCH",
                    f"SOLUONGHOSO ghi {declared!r} nhưng tệp có {self.episode_count} hồ sơ.",
                    f"SOLUONGHOSO says {declared!r} but the file holds "
                    f"{self.episode_count} episodes.",
                    field="SOLUONGHOSO",
                )
            )
        end = EnvelopeEnd(
            self.envelope_index,
            self.header.get("MACSKCB", ""),
            self.header.get("NGAYLAP", ""),
            declared,
            self.episode_count,
            self.signature,
            findings,
        )
        self.envelope_index += 1
        self.header, self.signature, self.episode_count = {}, None, 0
        return end

    def single(self, root: Element) -> SingleDocument:
        table_id = specs.table_for_root(root.tag)
        assert table_id is not None
        data = tostring(root, encoding="utf-8")
        document, findings = parse_document(data, table_id, Where(self.file, table=table_id))
        return SingleDocument(document, findings)

    def detach(self, element: Element) -> None:
        if self.stack:
            self.stack[-1].remove(element)

    def on_end(self, element: Element) -> ParseEvent | None:
        tag = element.tag
        if tag == "HOSO":
            parsed = self.episode(element)
            self.detach(element)
            return parsed
        if tag in _HEADER:
            self.header[tag] = text_of(element)
        elif tag == "CHUKYDONVI":
            element.tail = None
            self.signature = tostring(element, encoding="unicode")
        elif tag == ENVELOPE_ROOT:
            self.detach(element)
            return self.end_envelope()
        elif not self.stack and specs.table_for_root(tag) is not None:
            return self.single(element)
        return None


def iter_submission(source: str | IO[bytes], file: str | None = None) -> Iterator[ParseEvent]:
    """Episodes, envelope ends and single documents, in stream order, never raising on input.

    `source` is a path or a binary file object. A batch is any XML whose elements include
    many GIAMDINHHS (wrapped in any root); a single inner document is a file whose root is a
    table root (TONG_HOP, CHITIEU_CHITIET_THUOC, …).
    """
    stream = _Stream(file)
    produced = False
    declared = _declared_encoding(source)
    if declared not in (None, "utf-8", "utf8"):
        yield _whole_file(
            file,
            "ENCODING",
            f"Tệp dùng mã hoá '{declared}'; chuẩn yêu cầu UTF-8: hãy xuất lại tệp ở UTF-8.",
            f"The file is in encoding '{declared}'; UTF-8 is required: export it again in UTF-8.",
        )
    try:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                stream.stack.append(element)
                continue
            stream.stack.pop()
            result = stream.on_end(element)
            if result is not None:
                produced = True
                yield result
    except (ParseError, DefusedXmlException) as error:
        yield SingleDocument(None, [unreadable(Where(file), error, "Tệp", "The file")])
        return
    if not produced:
        yield _whole_file(
            file,
            "UNKNOWN_DOCUMENT",
            "Tệp không chứa GIAMDINHHS nào và không phải một bảng QĐ 130.",
            "The file holds no GIAMDINHHS envelope and is not a QĐ 130 table.",
        )


def _whole_file(file: str | None, rule: str, message_vi: str, message_en: str) -> SingleDocument:
    """A finding about the file as a whole, as the event that carries it."""
    return SingleDocument(None, [Where(file).finding(rule, message_vi, message_en)])


def _declared_encoding(source: str | IO[bytes]) -> str | None:
    """The encoding the XML declaration names, read from the first bytes (rewound after)."""
    if isinstance(source, str):
        with open(source, "rb") as stream:
            head = stream.read(200)
    elif source.seekable():
        position = source.tell()
        head = source.read(200)
        source.seek(position)
    else:
        return None
    for mark, name in _WIDE_ENCODINGS:
        if head.startswith(mark):
            return name
    declared = DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    return declared.group(1).decode("ascii").lower() if declared else None


# Byte-order marks, and how "<?" begins without one: the parser reads these encodings
# whatever the declaration says, so the bytes tell, not the declaration (UTF-32 first: its
# little-endian mark begins with UTF-16's).
_WIDE_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"<\x00\x00\x00", "utf-32"),
    (b"\x00\x00\x00<", "utf-32"),
    (b"<\x00", "utf-16"),
    (b"\x00<", "utf-16"),
)


def parse_envelopes(
    source: str | IO[bytes], file: str | None = None
) -> tuple[list[Envelope], list[Finding]]:
    """Whole envelopes in memory (for one submission; batches go through iter_submission)."""
    envelopes: list[Envelope] = []
    findings: list[Finding] = []
    pending: list[Episode] = []
    for event in iter_submission(source, file):
        findings.extend(event.findings)
        if isinstance(event, ParsedEpisode):
            pending.append(event.episode)
        elif isinstance(event, EnvelopeEnd):
            envelopes.append(
                Envelope(
                    event.facility_code,
                    event.created,
                    event.declared_count,
                    pending,
                    event.signature,
                )
            )
            pending = []
    return envelopes, findings


def read_facility_code(source: IO[bytes]) -> str | None:
    """The first MACSKCB of a stream, reading no further; None if unreadable or absent."""
    try:
        for _event, element in iterparse(source, events=("end",), forbid_dtd=True):
            if element.tag == "MACSKCB":
                return text_of(element).strip()
    except (ParseError, DefusedXmlException):
        return None
    return None
