"""Timeliness: NGAY_RA (Vietnam time) to first reception, rates by facility and period."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.claims.samples import all_episodes, his
from tests.helpers import add_facility, staff_client
from yteso.claims import Episode, new_envelope, service, write_envelope
from yteso.claims.timeliness import local_moment
from yteso.core.settings import Settings

URL = "/api/claims/timeliness"


def _send(db: Session, sample: Episode, facility: str, hours_late: float) -> None:
    summary = sample.records("XML1")[0]
    summary["MA_CSKCB"] = facility
    ended = local_moment(summary["NGAY_RA"])
    assert ended is not None
    raw = write_envelope(new_envelope(facility, "20250301", [sample]))
    result = service.submit(
        db, raw, facility, his(facility), now=ended + timedelta(hours=hours_late)
    )
    assert result.outcome == "accepted", result.findings


def _seed(db: Session) -> list[Episode]:
    add_facility(db, "19001")
    add_facility(db, "19002")
    samples = [s for s in all_episodes() if s.records("XML1")[0]["MA_LOAI_KCB"] == "01"][:4]
    first = samples[0].records("XML1")[0]
    for sample in samples:  # all ended the same day
        sample.records("XML1")[0].update(
            {k: first[k] for k in ("NGAY_VAO", "NGAY_RA", "NGAY_TTOAN")}
        )
    _send(db, samples[0], "19001", 2)
    _send(db, samples[1], "19001", 30)
    _send(db, samples[2], "19001", 23.9)
    _send(db, samples[3], "19002", 48)
    db.commit()
    return samples


def test_rates_by_day_and_month(client: TestClient, db: Session) -> None:
    samples = _seed(db)
    staff_client(client, db, "doh_analyst")
    day = samples[0].records("XML1")[0]["NGAY_RA"][:8]
    body = client.get(URL, params={"period": "day"}).json()
    assert body["thresholdHours"] == 24
    assert body["rates"] == [
        {"facility": "19001", "period": day, "episodes": 3, "onTime": 2, "rate": 0.6667},
        {"facility": "19002", "period": day, "episodes": 1, "onTime": 0, "rate": 0.0},
    ]
    month = client.get(URL, params={"period": "month", "facility": "19002"}).json()
    assert [(r["period"], r["episodes"]) for r in month["rates"]] == [(day[:6], 1)]


def test_threshold_is_a_setting(
    client: TestClient, db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db)
    monkeypatch.setenv("YTESO_CLAIM_ONTIME_HOURS", "3")
    assert Settings().claim_ontime_hours == 3
    app = cast(FastAPI, client.app)
    monkeypatch.setattr(app.state, "settings", replace(settings, claim_ontime_hours=3))
    staff_client(client, db, "admin")
    rates = client.get(URL, params={"facility": "19001"}).json()["rates"]
    assert [(r["episodes"], r["onTime"]) for r in rates] == [(3, 1)]


def test_facility_admin_sees_only_their_facility(client: TestClient, db: Session) -> None:
    _seed(db)
    staff_client(client, db, "facility_admin", "19002")
    own = client.get(URL).json()["rates"]
    assert {r["facility"] for r in own} == {"19002"}
    assert client.get(URL, params={"facility": "19001"}).status_code == 403


def test_other_roles_and_bad_period_are_refused(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    staff_client(client, db, "clinician", "19001")
    assert client.get(URL).status_code == 403
    assert client.get(URL, params={"period": "year"}).status_code == 422
