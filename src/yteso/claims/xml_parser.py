"""Streaming, safe parser for QĐ 130 submissions: GIAMDINHHS envelopes, batches, single tables.

The outer stream is read with iterparse and every HOSO is dropped once turned into an
`Episode`, so memory follows one episode, not the batch. Each NOIDUNGFILE is base64 of a
whole inner XML document, parsed the same safe way. defusedxml refuses any DTD, so entity
expansion (billion laughs) and external entities (XXE) are never expanded nor fetched.

Inner documents are many and small, so they take a faster path with the same guarantee:
once the bytes are proven UTF-8 (as the standard requires), a DTD can only be declared by
the literal text "<!DOCTYPE"; a document containing it is refused, the others go to the
C parser of the standard library, which without a DTD knows no entity but the five
predefined ones.

Nothing here raises on bad input: every problem becomes a `Finding`.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from base64 import b64decode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element, ParseError, XMLParser, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from yteso.claims import specs
from yteso.claims.envelope import ClaimDocument, Envelope, Episode, Record
from yteso.claims.findings import Finding, Where

ENVELOPE_ROOT = "GIAMDINHHS"
MAX_DOCUMENT_BYTES = 20 * 2**20  # one inner document; a typical one is a few kB
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
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


def _text(element: Element) -> str:
    return element.text or ""


def _forbidden(where: Where, what_vi: str, what_en: str) -> Finding:
    return where.finding(
        "XML_FORBIDDEN",
        f"{what_vi} chứa DTD hoặc khai báo thực thể (entity): bị từ chối vì an toàn.",
        f"{what_en} has a DTD or entity declaration: refused for safety.",
    )


def _unreadable(where: Where, error: Exception, what_vi: str, what_en: str) -> Finding:
    if isinstance(error, DefusedXmlException):
        return _forbidden(where, what_vi, what_en)
    return where.finding(
        "XML_MALFORMED",
        f"{what_vi} không phải XML hợp lệ: {error}.",
        f"{what_en} is not well-formed XML: {error}.",
    )


# --- inner documents --------------------------------------------------------------------


def decode_content(text: str, where: Where) -> tuple[bytes | None, list[Finding]]:
    """NOIDUNGFILE → bytes of the inner document, or a finding saying why not."""
    compact = "".join(text.split())
    if len(compact) * 3 // 4 > MAX_DOCUMENT_BYTES:
        return None, [
            where.finding(
                "DOCUMENT_TOO_LARGE",
                f"NOIDUNGFILE vượt quá {MAX_DOCUMENT_BYTES // 2**20} MB.",
                f"NOIDUNGFILE exceeds {MAX_DOCUMENT_BYTES // 2**20} MB.",
                field="NOIDUNGFILE",
            )
        ]
    try:
        return b64decode(compact, validate=True), []
    except (binascii.Error, ValueError):
        return None, [
            where.finding(
                "BAD_BASE64",
                "NOIDUNGFILE không phải chuỗi base64 hợp lệ (sai ký tự hoặc bị cắt cụt).",
                "NOIDUNGFILE is not valid base64 (bad characters or truncated).",
                field="NOIDUNGFILE",
            )
        ]


def _encoding_problem(data: bytes, where: Where) -> Finding | None:
    declared = _DECLARED_ENCODING.match(data)
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return where.finding(
            "ENCODING",
            f"Tài liệu không mã hoá UTF-8 (byte sai ở vị trí {error.start}).",
            f"The document is not UTF-8 encoded (bad byte at offset {error.start}).",
        )
    if name not in ("utf-8", "utf8"):
        return where.finding(
            "ENCODING",
            f"Tài liệu khai báo mã hoá '{name}'; chuẩn yêu cầu UTF-8.",
            f"The document declares encoding '{name}'; UTF-8 is required.",
        )
    return None


def _record(element: Element, where: Where, findings: list[Finding]) -> Record:
    record: Record = {child.tag: child.text or "" for child in element}
    if len(record) == len(element):
        return record
    # a field written twice: keep its first value, as the slow path below does, and say so
    record = {}
    for child in element:
        if child.tag in record:
            findings.append(
                where.finding(
                    "DUPLICATE_FIELD",
                    f"Trường {child.tag} xuất hiện nhiều lần trong một bản ghi.",
                    f"Field {child.tag} appears more than once in one record.",
                    field=child.tag,
                )
            )
            continue
        record[child.tag] = _text(child)
    return record


def _record_elements(root: Element, table: specs.ClaimTable) -> list[Element]:
    if table.xml_list and table.xml_record:
        container = root.find(table.xml_list)
        return [] if container is None else list(container.iter(table.xml_record))
    if not table.xml_layout_known:
        # Layout undocumented (XML6): a child with children is a list, otherwise one record.
        lists = [child for child in root if len(child)]
        if lists:
            return [record for container in lists for record in container]
    return [root]


def parse_document(
    data: bytes, table_id: str, where: Where
) -> tuple[ClaimDocument | None, list[Finding]]:
    """One inner document of a known table; None when it cannot be read at all."""
    problem = _encoding_problem(data, where)
    if problem is not None:
        return None, [problem]
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None, [_forbidden(where, f"Tài liệu {table_id}", f"Document {table_id}")]
    try:
        parser = XMLParser()
        parser.feed(data)
        root = parser.close()
    except ParseError as error:
        return None, [_unreadable(where, error, f"Tài liệu {table_id}", f"Document {table_id}")]
    table = specs.table(table_id)
    findings: list[Finding] = []
    if table.xml_root and root.tag != table.xml_root:
        findings.append(
            where.finding(
                "WRONG_ROOT",
                f"Phần tử gốc của {table_id} phải là {table.xml_root}, tệp ghi {root.tag}.",
                f"The root element of {table_id} must be {table.xml_root}, found {root.tag}.",
            )
        )
    records = [_record(e, where, findings) for e in _record_elements(root, table)]
    return ClaimDocument(table_id, records), findings


def _file_hoso(
    element: Element, where: Where, digest: Callable[[bytes], object]
) -> tuple[ClaimDocument | None, list[Finding]]:
    kind = element.find("LOAIHOSO")
    table_id = "" if kind is None else _text(kind).strip().upper()
    where = Where(where.file, where.ma_lk, table_id or None)
    if not specs.is_known(table_id):
        return None, [
            where.finding(
                "UNKNOWN_TABLE",
                f"Loại hồ sơ '{table_id}' không có trong QĐ 130/4750 (XML0 … XML15).",
                f"Table type '{table_id}' is not in QĐ 130/4750 (XML0 … XML15).",
                field="LOAIHOSO",
            )
        ]
    content = element.find("NOIDUNGFILE")
    data, findings = decode_content("" if content is None else _text(content), where)
    if data is None:
        return None, findings
    digest(f"{table_id}:{len(data)}:".encode())
    digest(data)
    return parse_document(data, table_id, where)


def parse_hoso(element: Element, file: str | None) -> tuple[Episode, list[Finding], str]:
    """The episode, its findings and a SHA-256 of its inner documents (resend detection)."""
    episode, findings, digest = Episode(), [], hashlib.sha256()
    for child in element.iter("FILEHOSO"):
        document, found = _file_hoso(child, Where(file), digest.update)
        findings.extend(found)
        if document is not None:
            episode.documents.append(document)
    ma_lk = episode.ma_lk
    return episode, [_with_ma_lk(f, ma_lk) for f in findings], digest.hexdigest()


def _with_ma_lk(finding: Finding, ma_lk: str | None) -> Finding:
    if finding.ma_lk or ma_lk is None:
        return finding
    return Finding(
        finding.file,
        ma_lk,
        finding.table,
        finding.stt,
        finding.field,
        finding.rule,
        finding.severity,
        finding.message_vi,
        finding.message_en,
    )


# --- the outer stream -------------------------------------------------------------------


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
            self.header[tag] = _text(element)
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
        yield SingleDocument(
            None,
            [
                Where(file).finding(
                    "ENCODING",
                    f"Tệp khai báo mã hoá '{declared}'; chuẩn yêu cầu UTF-8.",
                    f"The file declares encoding '{declared}'; UTF-8 is required.",
                )
            ],
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
        yield SingleDocument(None, [_unreadable(Where(file), error, "Tệp", "The file")])
        return
    if not produced:
        yield SingleDocument(
            None,
            [
                Where(file).finding(
                    "UNKNOWN_DOCUMENT",
                    "Tệp không chứa GIAMDINHHS nào và không phải một bảng QĐ 130.",
                    "The file holds no GIAMDINHHS envelope and is not a QĐ 130 table.",
                )
            ],
        )


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
    declared = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    return declared.group(1).decode("ascii").lower() if declared else None


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
                return _text(element).strip()
    except (ParseError, DefusedXmlException):
        return None
    return None
