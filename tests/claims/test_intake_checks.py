"""Checks of the intake beyond the validator: the envelope, the sender's facility for each
episode, and no episode ending after its reception."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.samples import all_episodes, his
from tests.claims.test_intake import URL, _count, _episode, _file, _his
from tests.helpers import add_facility
from yteso.claims import new_envelope, service, write_envelope
from yteso.claims.models import ClaimDocument, ClaimEpisode
from yteso.claims.timeliness import local_moment


def _hoso_outside_envelope(raw: bytes) -> bytes:
    text = raw.decode()
    return f"<ROOT>{text[text.index('<HOSO>') : text.rindex('</HOSO>') + 7]}</ROOT>".encode()


def test_each_episode_is_scoped_to_the_sender_wherever_it_stands(
    client: TestClient, db: Session
) -> None:
    """An episode of another facility is refused even when no envelope header names that
    facility first: a list of HOSO without envelope, or one before THONGTINDONVI."""
    headers = _his(client, db)
    add_facility(db, "19002")
    other = _file(_episode("19002"), facility="19002")
    response = client.post(URL, content=_hoso_outside_envelope(other), headers=headers)
    assert response.status_code == 422
    assert {"NOT_AN_ENVELOPE", "FACILITY_SCOPE"} <= {f["rule"] for f in response.json()["findings"]}
    # beside an envelope, a stray HOSO is still outside one
    inside = _file(_episode()).decode()
    stray = _hoso_outside_envelope(_file(_episode(kind="inpatient"))).decode()[6:-7]
    mixed = f"<ROOT>{inside[inside.index('<GIAMDINHHS>') :]}{stray}</ROOT>".encode()
    response = client.post(URL, content=mixed, headers=headers)
    assert response.status_code == 422
    assert "NOT_AN_ENVELOPE" in {f["rule"] for f in response.json()["findings"]}
    text = _file(_episode("19002")).decode()
    header = text[text.index("<THONGTINDONVI>") : text.index("</THONGTINDONVI>") + 16]
    late = text.replace(header, "").replace("</GIAMDINHHS>", header + "</GIAMDINHHS>")
    response = client.post(URL, content=late.encode(), headers=headers)
    assert response.status_code == 422
    scope = [f for f in response.json()["findings"] if f["rule"] == "FACILITY_SCOPE"]
    assert [(f["table"], f["field"]) for f in scope] == [("XML1", "MA_CSKCB")]
    assert "19002" in scope[0]["message_vi"]
    assert _count(db, ClaimEpisode) == 0 and _count(db, ClaimDocument) == 0


def test_an_episode_ending_after_its_reception_is_refused(db: Session) -> None:
    """A mistyped year would make a negative delay, on time for ever: it is an error."""
    add_facility(db, "19001")
    sample = all_episodes()[0]
    summary = sample.records("XML1")[0]
    summary["MA_CSKCB"] = "19001"
    ended = local_moment(summary["NGAY_RA"])
    assert ended is not None
    raw = write_envelope(new_envelope("19001", "20250301", [sample]))
    early = service.submit(db, raw, "19001", his("19001"), now=ended - timedelta(days=30))
    assert early.outcome == "rejected"
    assert {(f.rule, f.field) for f in early.findings} >= {("FUTURE_DATE", "NGAY_RA")}
    paid = local_moment(summary["NGAY_TTOAN"])  # the latest of the episode's times
    assert paid is not None
    skewed = service.submit(db, raw, "19001", his("19001"), now=paid - timedelta(minutes=5))
    assert skewed.outcome == "accepted", skewed.findings
