"""POST /api/claims/submissions: scope, portal reply, raw storage, versions, all or nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.claims.samples import episode, his
from tests.helpers import add_facility, bearer, staff_client
from yteso.claims import Episode, new_envelope, repository, service, write_document, write_envelope
from yteso.claims.models import ClaimDocument, ClaimEpisode
from yteso.core.audit.models import AuditEvent
from yteso.core.errors import Conflict

URL = "/api/claims/submissions"
XML = {"Content-Type": "application/xml"}


def _episode(facility: str = "19001", kind: str = "outpatient") -> Episode:
    sample = episode(kind)
    sample.records("XML1")[0]["MA_CSKCB"] = facility
    return sample


def _file(*episodes: Episode, facility: str = "19001") -> bytes:
    return write_envelope(new_envelope(facility, "20250301", list(episodes)))


def _his(client: TestClient, db: Session, facility: str = "19001") -> dict[str, str]:
    add_facility(db, facility)
    return {**bearer(client, db, "his", facility), **XML}


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_accepted_file_is_stored_unchanged_and_audited(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    raw = _file(_episode())
    response = client.post(URL, content=raw, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["maKetQua"] == "000" and len(body["thoiGianTiepNhan"]) == 14
    assert body["episodes"][0]["change"] == "new" and body["findings"] == []
    document = db.scalars(select(ClaimDocument)).one()
    assert document.content == raw and document.sha256 == hashlib.sha256(raw).hexdigest()
    assert document.transaction_id == body["maGiaoDich"]
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "submit")).all()
    assert [(e.resource_id, e.outcome) for e in events] == [(body["maGiaoDich"], "success")]


def test_identical_resend_is_a_no_op(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    raw = _file(_episode())
    first = client.post(URL, content=raw, headers=headers).json()
    again = client.post(URL, content=raw, headers=headers)
    assert again.status_code == 200
    assert again.json()["maGiaoDich"] == first["maGiaoDich"]
    assert (_count(db, ClaimDocument), _count(db, ClaimEpisode)) == (1, 1)


def test_resend_replaces_current_version_and_keeps_old(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    sample = _episode()
    client.post(URL, content=_file(sample), headers=headers)
    sample.records("XML1")[0]["GHI_CHU"] = "Bổ sung ngày thanh toán"
    body = client.post(URL, content=_file(sample), headers=headers).json()
    assert body["episodes"][0] == {"maLk": sample.ma_lk, "version": 2, "change": "replaced"}
    versions = db.scalars(select(ClaimEpisode).order_by(ClaimEpisode.version)).all()
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].first_received_at == versions[1].first_received_at
    # same episodes, new bytes (another NGAYLAP): nothing changes
    again = write_envelope(new_envelope("19001", "20250302", [sample]))
    assert client.post(URL, content=again, headers=headers).json()["episodes"][0]["change"] == (
        "unchanged"
    )
    assert _count(db, ClaimDocument) == 2


def test_a_file_sent_again_after_a_correction_replaces_it(client: TestClient, db: Session) -> None:
    """The same bytes are a no-op only while they hold the current version: sent again
    after a correction, the first file's content becomes current once more."""
    headers = _his(client, db)
    sample = _episode()
    first = _file(sample)
    client.post(URL, content=first, headers=headers)
    sample.records("XML1")[0]["GHI_CHU"] = "Bổ sung ngày thanh toán"
    client.post(URL, content=_file(sample), headers=headers)
    back = client.post(URL, content=first, headers=headers).json()
    assert back["episodes"][0] == {"maLk": sample.ma_lk, "version": 3, "change": "replaced"}
    current = db.scalars(select(ClaimEpisode).where(ClaimEpisode.is_current.is_(True))).one()
    assert db.get(ClaimDocument, current.document_id).transaction_id == back["maGiaoDich"]
    again = client.post(URL, content=first, headers=headers).json()
    assert again["maGiaoDich"] == back["maGiaoDich"] and _count(db, ClaimEpisode) == 3
    # a file whose episode was already current when it came is still its own no-op
    both = _file(_episode(), _episode(kind="inpatient"))  # the first content, current again
    first_both = client.post(URL, content=both, headers=headers).json()
    assert [e["change"] for e in first_both["episodes"]] == ["unchanged", "new"]
    assert (
        client.post(URL, content=both, headers=headers).json()["maGiaoDich"]
        == (first_both["maGiaoDich"])
    )


def test_one_bad_episode_rejects_the_whole_file(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    bad = _episode(kind="inpatient")
    bad.records("XML1")[0]["T_TONGCHI_BV"] = "1.00"
    response = client.post(URL, content=_file(_episode(), bad), headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["maKetQua"] == "001"
    assert {f["rule"] for f in body["findings"]} == {"MONEY_TOTAL"}
    assert (_count(db, ClaimDocument), _count(db, ClaimEpisode)) == (0, 0)
    audited = db.scalars(select(AuditEvent).where(AuditEvent.action == "submit")).one()
    assert (audited.resource_id, audited.outcome) == (body["maGiaoDich"], "failure")


def test_hostile_xml_is_refused(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    hostile = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><GIAMDINHHS>&x;</GIAMDINHHS>'
    response = client.post(URL, content=hostile, headers=headers)
    assert response.status_code == 422
    assert [f["rule"] for f in response.json()["findings"]] == ["XML_FORBIDDEN"]


def test_scope_is_the_clients_facility(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    add_facility(db, "19002")
    raw = _file(_episode("19002"), facility="19002")
    assert client.post(URL, content=raw, headers=headers).status_code == 403
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [r.resource_id for r in refusals] == ["19002"]
    # an episode of another facility inside the client's own envelope is a finding
    mixed = client.post(URL, content=_file(_episode("19002")), headers=headers)
    assert "FACILITY_MISMATCH" in {f["rule"] for f in mixed.json()["findings"]}


def test_only_his_clients_submit(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    staff_client(client, db, "facility_admin", "19001")
    assert client.post(URL, content=_file(_episode()), headers=XML).status_code == 403
    kiosk = bearer(client, db, "kiosk", "19001")
    assert client.post(URL, content=_file(_episode()), headers=kiosk).status_code == 403
    client.cookies.clear()
    assert client.post(URL, content=_file(_episode())).status_code == 401


def test_single_table_is_not_a_submission(client: TestClient, db: Session) -> None:
    headers = _his(client, db)
    table = write_document(_episode().tables("XML2")[0])
    response = client.post(URL, content=table, headers=headers)
    assert response.status_code == 422
    assert "NOT_AN_ENVELOPE" in {f["rule"] for f in response.json()["findings"]}


def test_received_at_is_vietnam_time(db: Session) -> None:
    add_facility(db, "19001")
    now = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)
    result = service.submit(db, _file(_episode()), "19001", his(), now=now)
    assert result.received_local == "20250302003000"
    assert now - timedelta(hours=1) < result.received_at <= now


def test_racing_resend_is_a_conflict(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    add_facility(db, "19001")
    sample = _episode()
    service.submit(db, _file(sample), "19001", his())
    db.commit()
    # a second request that read the episodes before the first one committed
    monkeypatch.setattr(repository, "current_episodes", lambda *_args: {})
    sample.records("XML1")[0]["GHI_CHU"] = "khác"
    with pytest.raises(Conflict):
        service.submit(db, _file(sample), "19001", his())
    db.rollback()
    assert _count(db, ClaimEpisode) == 1
