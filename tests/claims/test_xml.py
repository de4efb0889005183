"""Parser and writer: round trip, batches, single tables, streaming, hostile XML."""

from __future__ import annotations

import base64
import io
import tracemalloc

import pytest

from tests.claims.samples import all_episodes, episode
from yteso.claims import (
    ClaimDocument,
    Envelope,
    iter_findings,
    iter_submission,
    new_envelope,
    parse_envelopes,
    write_batch,
    write_document,
    write_envelope,
    xml_documents,
)
from yteso.claims.xml_parser import EnvelopeEnd, ParsedEpisode, SingleDocument

SIGNATURE = (
    '<CHUKYDONVI><Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
    "<SignatureValue>AbC=</SignatureValue></Signature></CHUKYDONVI>"
)


def _rules(data: bytes) -> list[str]:
    return [f.rule for event in iter_submission(io.BytesIO(data)) for f in event.findings]


def _file_hoso(table: str, content: str) -> bytes:
    return (
        "<GIAMDINHHS><THONGTINDONVI><MACSKCB>19001</MACSKCB></THONGTINDONVI><THONGTINHOSO>"
        "<NGAYLAP>20250101</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO>"
        f"<FILEHOSO><LOAIHOSO>{table}</LOAIHOSO><NOIDUNGFILE>{content}</NOIDUNGFILE></FILEHOSO>"
        "</HOSO></DANHSACHHOSO></THONGTINHOSO></GIAMDINHHS>"
    ).encode()


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


def test_parse_of_write_is_identity() -> None:
    envelope = new_envelope("19001", "20250301", all_episodes()[:6])
    parsed, findings = parse_envelopes(io.BytesIO(write_envelope(envelope)))
    assert findings == []
    assert parsed == [envelope]


def test_line_breaks_come_back_as_written_and_unwritable_characters_are_refused() -> None:
    sample = episode("inpatient")
    sample.records("XML1")[0]["GHI_CHU"] = "Dòng 1\r\nDòng 2\rDòng 3\n\tHết"
    envelope = new_envelope("19001", "20250301", [sample])
    parsed, findings = parse_envelopes(io.BytesIO(write_envelope(envelope)))
    assert findings == [] and parsed == [envelope]
    sample.records("XML1")[0]["GHI_CHU"] = "lỗi\x0b"
    with pytest.raises(ValueError, match=r"GHI_CHU: ký tự U\+000B"):
        write_envelope(envelope)


def test_signature_is_kept() -> None:
    envelope = new_envelope("19001", "20250301", all_episodes()[:1])
    envelope.signature = SIGNATURE
    parsed, _ = parse_envelopes(io.BytesIO(write_envelope(envelope)))
    signature = parsed[0].signature or ""
    assert "<SignatureValue>AbC=</SignatureValue>" in signature.replace("ns0:", "")
    # once read, the (namespace-normalised) signature is a fixed point of write + parse
    again, _ = parse_envelopes(io.BytesIO(write_envelope(parsed[0])))
    assert again == parsed


def test_codes_stay_strings_and_empty_fields_are_kept() -> None:
    sample = episode("inpatient")
    summary = sample.records("XML1")[0]
    envelope = new_envelope("19001", "20250301", [sample])
    parsed, _ = parse_envelopes(io.BytesIO(write_envelope(envelope)))
    back = parsed[0].episodes[0].records("XML1")[0]
    assert back["MA_LOAI_KCB"] == "03"
    assert back["GHI_CHU"] == "" and list(back) == list(summary)


def test_batch_of_envelopes_streams_each_episode() -> None:
    episodes = all_episodes()[:9]
    envelopes = [new_envelope("19001", "20250301", episodes[i : i + 3]) for i in (0, 3, 6)]
    events = list(iter_submission(io.BytesIO(write_batch(envelopes))))
    ends = [e for e in events if isinstance(e, EnvelopeEnd)]
    parsed = [e for e in events if isinstance(e, ParsedEpisode)]
    assert [e.episode_count for e in ends] == [3, 3, 3]
    assert [p.episode for p in parsed] == episodes
    assert {p.envelope_index for p in parsed} == {0, 1, 2}


def test_single_table_document() -> None:
    drugs = episode().tables("XML2")[0]
    events = list(iter_submission(io.BytesIO(write_document(drugs))))
    assert len(events) == 1 and isinstance(events[0], SingleDocument)
    assert events[0].document == drugs


def test_streaming_keeps_memory_to_one_episode() -> None:
    episodes = all_episodes()
    data = write_batch([new_envelope("19001", "20250301", episodes)] * 4)
    tracemalloc.start()
    count = sum(isinstance(e, ParsedEpisode) for e in iter_submission(io.BytesIO(data)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 4 * len(episodes)
    assert peak < len(data) / 5, (peak, len(data))


def test_external_entity_is_refused_without_reading_it() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE GIAMDINHHS [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<GIAMDINHHS><THONGTINDONVI><MACSKCB>&x;</MACSKCB></THONGTINDONVI></GIAMDINHHS>"
    )
    events = list(iter_submission(io.BytesIO(hostile)))
    assert [f.rule for e in events for f in e.findings] == ["XML_FORBIDDEN"]
    assert "root:" not in repr(events)


def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE GIAMDINHHS [<!ENTITY l0 "ha">{entities}]>'
        "<GIAMDINHHS><THONGTINDONVI><MACSKCB>&l9;</MACSKCB></THONGTINDONVI></GIAMDINHHS>"
    ).encode()
    assert _rules(bomb) == ["XML_FORBIDDEN"]


def test_hostile_inner_documents_are_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE T [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><TONG_HOP><MA_LK>&x;</MA_LK></TONG_HOP>'
    assert _rules(_file_hoso("XML1", _b64(xxe))) == ["XML_FORBIDDEN"]
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<!DOCTYPE TONG_HOP [<!ENTITY l0 "ha">{laughs}]><TONG_HOP><MA_LK>&l9;</MA_LK></TONG_HOP>'
    )
    assert _rules(_file_hoso("XML1", _b64(bomb.encode()))) == ["XML_FORBIDDEN"]
    # an entity never declared is just malformed XML
    assert _rules(_file_hoso("XML1", _b64(b"<TONG_HOP><MA_LK>&x;</MA_LK></TONG_HOP>"))) == [
        "XML_MALFORMED"
    ]


def test_bad_base64_unknown_table_and_wrong_encoding_are_findings() -> None:
    document = write_document(episode().tables("XML1")[0])
    assert "BAD_BASE64" in _rules(_file_hoso("XML1", "@@not-base64@@"))
    assert "BAD_BASE64" in _rules(_file_hoso("XML1", _b64(document)[:-3]))
    assert "UNKNOWN_TABLE" in _rules(_file_hoso("XML99", _b64(document)))
    latin = document.decode().replace("utf-8", "iso-8859-1").encode("iso-8859-1", "replace")
    assert "ENCODING" in _rules(_file_hoso("XML1", _b64(latin)))
    assert "ENCODING" in _rules(_file_hoso("XML1", _b64(b"\xff\xfe<TONG_HOP/>")))


def test_oversized_inner_document_is_not_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xml_documents, "MAX_DOCUMENT_BYTES", 1000)
    document = write_document(episode().tables("XML2")[0])
    assert len(document) > 1000
    assert _rules(_file_hoso("XML2", _b64(document))) == ["DOCUMENT_TOO_LARGE"]


def test_envelope_in_another_encoding_is_a_finding() -> None:
    text = write_envelope(new_envelope("19001", "20250301", all_episodes()[:1])).decode()
    latin = text.replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("iso-8859-1")
    assert "ENCODING" in _rules(latin)
    assert "XML_MALFORMED" in _rules(b"<GIAMDINHHS><MACSKCB>\xff\xfe</MACSKCB></GIAMDINHHS>")
    # The parser reads UTF-16 and UTF-32 by their bytes, whatever they declare.
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        wide = text.replace('encoding="utf-8"', 'encoding="UTF-16"').encode(encoding)
        assert "ENCODING" in _rules(wide), encoding


def test_truncated_or_foreign_files_are_findings_not_crashes() -> None:
    whole = write_envelope(new_envelope("19001", "20250301", all_episodes()[:2]))
    assert "XML_MALFORMED" in _rules(whole[: len(whole) // 2])
    (cut,) = list(iter_findings(io.BytesIO(whole[:100])))
    assert "ở dòng 2, cột" in cut.message_vi and "token" not in cut.message_vi
    assert _rules(b"<html><body/></html>") == ["UNKNOWN_DOCUMENT"]
    assert _rules(b"") == ["XML_MALFORMED"]


def test_duplicated_field_keeps_the_first_value() -> None:
    inner = b"<TONG_HOP><MA_LK>A</MA_LK><HO_TEN>X</HO_TEN><MA_LK>B</MA_LK></TONG_HOP>"
    events = list(iter_submission(io.BytesIO(_file_hoso("XML1", _b64(inner)))))
    parsed = next(e for e in events if isinstance(e, ParsedEpisode))
    assert parsed.episode.records("XML1") == [{"MA_LK": "A", "HO_TEN": "X"}]
    assert [f.rule for f in parsed.findings] == ["DUPLICATE_FIELD"]


def test_declared_count_is_checked() -> None:
    envelope = Envelope("19001", "20250301", "5", all_episodes()[:2])
    assert "COUNT_MISMATCH" in _rules(write_envelope(envelope))


def test_single_record_table_refuses_many_records_on_write() -> None:
    summary = episode().records("XML1")[0]
    try:
        write_document(ClaimDocument("XML1", [summary, summary]))
    except ValueError:
        return
    raise AssertionError("two XML1 records were written")


def test_noidungfile_with_line_breaks_reads_like_one_line() -> None:
    document = write_document(episode().tables("XML2")[0])
    one_line = _b64(document)
    wrapped = "\n".join(one_line[i : i + 76] for i in range(0, len(one_line), 76))
    read = [
        [
            (e.episode, e.findings, e.digest)
            for e in iter_submission(io.BytesIO(_file_hoso("XML2", text)))
            if isinstance(e, ParsedEpisode)
        ]
        for text in (one_line, f"\n  {wrapped}\n")
    ]
    assert read[0] == read[1] and read[0][0][0].records("XML2") and read[0][0][1] == []
