"""Inner documents of a QĐ 130 submission (NOIDUNGFILE): base64, UTF-8, a safe XML parse.

Inner documents are many and small, so they take a faster path than the outer stream with
the same guarantee: once the bytes are proven UTF-8 (as the standard requires), a DTD can
only be declared by the literal text "<!DOCTYPE"; a document containing it is refused, the
others go to the C parser of the standard library, which without a DTD knows no entity but
the five predefined ones.

Nothing here raises on bad input: every problem becomes a `Finding`.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from base64 import b64decode
from collections.abc import Callable
from xml.etree.ElementTree import Element, ParseError, XMLParser

from defusedxml import DefusedXmlException

from yteso.claims import specs
from yteso.claims.envelope import ClaimDocument, Episode, Record
from yteso.claims.findings import Finding, Where

MAX_DOCUMENT_BYTES = 20 * 2**20  # one inner document; a typical one is a few kB
DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def text_of(element: Element) -> str:
    return element.text or ""


def _forbidden(where: Where, what_vi: str, what_en: str) -> Finding:
    return where.finding(
        "XML_FORBIDDEN",
        f"{what_vi} chứa DTD hoặc khai báo thực thể (entity): bị từ chối vì an toàn.",
        f"{what_en} has a DTD or entity declaration: refused for safety.",
    )


def unreadable(where: Where, error: Exception, what_vi: str, what_en: str) -> Finding:
    if isinstance(error, DefusedXmlException):
        return _forbidden(where, what_vi, what_en)
    position = getattr(error, "position", None)  # (line, column) of expat's error
    at = f" ở dòng {position[0]}, cột {position[1]}" if position else ""
    return where.finding(
        "XML_MALFORMED",
        f"{what_vi} không phải XML hợp lệ{at}: tệp bị cắt cụt, thiếu thẻ đóng hoặc có ký tự "
        "không được phép; hãy xuất lại tệp từ phần mềm.",
        f"{what_en} is not well-formed XML: {error}.",
    )


def decode_content(text: str, where: Where) -> tuple[bytes | None, list[Finding]]:
    """NOIDUNGFILE → bytes of the inner document, or a finding saying why not."""
    if len(text) * 3 // 4 <= MAX_DOCUMENT_BYTES:
        try:  # the usual text, on one line: decoded without first copying it without spaces
            return b64decode(text, validate=True), []
        except (binascii.Error, ValueError):
            pass
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
    declared = DECLARED_ENCODING.match(data)
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
        record[child.tag] = text_of(child)
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
        return None, [unreadable(where, error, f"Tài liệu {table_id}", f"Document {table_id}")]
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


def _table_id(element: Element) -> str:
    kind = element.find("LOAIHOSO")
    return "" if kind is None else text_of(kind).strip().upper()


def _file_hoso(
    element: Element, where: Where, digest: Callable[[bytes], object]
) -> tuple[ClaimDocument | None, list[Finding]]:
    table_id = _table_id(element)
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
    data, findings = decode_content("" if content is None else text_of(content), where)
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
        else:
            episode.unread.append(_table_id(child))
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
