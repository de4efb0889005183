"""Writer for QĐ 130 inner documents and GIAMDINHHS envelopes, driven by the table specs."""

from __future__ import annotations

import re
from base64 import b64encode
from collections.abc import Iterable
from xml.sax.saxutils import escape

from yteso.claims import specs
from yteso.claims.envelope import ClaimDocument, Envelope, Episode, Record

DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


# Characters XML 1.0 cannot hold, even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A parser turns a raw CR (and CR LF) into LF; as a reference it comes back as CR.
_CARRIAGE_RETURN = {"\r": "&#13;"}


def _value(name: str, value: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise ValueError(
            f"{name}: ký tự U+{ord(bad.group()):04X} không ghi được trong XML "
            f"(character U+{ord(bad.group()):04X} cannot be written in XML)"
        )
    return escape(value, _CARRIAGE_RETURN)


def _fields(record: Record) -> str:
    return "".join(f"<{name}>{_value(name, value)}</{name}>" for name, value in record.items())


def write_document(document: ClaimDocument) -> bytes:
    """The inner XML of one table: root/list/record for repeating tables, root/fields else."""
    table = specs.table(document.table)
    root = table.xml_root or document.table
    if table.xml_list and table.xml_record:
        rec = table.xml_record
        body = "".join(f"<{rec}>{_fields(r)}</{rec}>" for r in document.records)
        inner = f"<{table.xml_list}>{body}</{table.xml_list}>"
    elif len(document.records) == 1:
        inner = _fields(document.records[0])
    else:
        raise ValueError(f"{document.table} holds one record, got {len(document.records)}")
    return f"{DECLARATION}<{root}>{inner}</{root}>".encode()


def _file_hoso(document: ClaimDocument) -> str:
    content = b64encode(write_document(document)).decode("ascii")
    return (
        f"<FILEHOSO><LOAIHOSO>{escape(document.table)}</LOAIHOSO>"
        f"<NOIDUNGFILE>{content}</NOIDUNGFILE></FILEHOSO>"
    )


def _hoso(episode: Episode) -> str:
    return "<HOSO>" + "".join(_file_hoso(d) for d in episode.documents) + "</HOSO>"


def envelope_text(envelope: Envelope) -> str:
    """The envelope as text, without XML declaration (batches put several in one root)."""
    episodes = "".join(_hoso(e) for e in envelope.episodes)
    return (
        "<GIAMDINHHS>"
        f"<THONGTINDONVI><MACSKCB>{escape(envelope.facility_code)}</MACSKCB></THONGTINDONVI>"
        f"<THONGTINHOSO><NGAYLAP>{escape(envelope.created)}</NGAYLAP>"
        f"<SOLUONGHOSO>{escape(envelope.declared_count)}</SOLUONGHOSO>"
        f"<DANHSACHHOSO>{episodes}</DANHSACHHOSO></THONGTINHOSO>"
        f"{envelope.signature or ''}"
        "</GIAMDINHHS>"
    )


def write_envelope(envelope: Envelope) -> bytes:
    return (DECLARATION + envelope_text(envelope)).encode()


def write_batch(envelopes: Iterable[Envelope], root: str = "DANHSACH_GIAMDINHHS") -> bytes:
    """Many envelopes under one wrapper element (the parser accepts any wrapper name)."""
    body = "".join(envelope_text(e) for e in envelopes)
    return f"{DECLARATION}<{root}>{body}</{root}>".encode()


def new_envelope(facility_code: str, created: str, episodes: list[Episode]) -> Envelope:
    return Envelope(facility_code, created, str(len(episodes)), episodes)
