from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_facility, facility_in, staff_client


def _body(code: str = "19010", **changes: object) -> dict[str, object]:
    return facility_in(code, **changes).model_dump(mode="json")


def test_analyst_creates_reads_updates_and_deactivates_a_facility(
    client: TestClient, db: Session
) -> None:
    staff_client(client, db, "doh_analyst")
    created = client.post("/api/facilities", json=_body())
    assert created.status_code == 201, created.text
    assert created.json()["commune_name"] == "Phường Phan Đình Phùng"
    assert created.json()["phone"] == "02083855123"
    changed = client.patch(
        "/api/facilities/19010", json={"emr_status": "approved", "iso15189_lab": True}
    )
    assert changed.json()["emr_status"] == "approved" and changed.json()["iso15189_lab"] is True
    assert changed.json()["name"] == "Bệnh viện Đa khoa Thử nghiệm"
    assert client.post("/api/facilities/19010/deactivate").json()["active"] is False
    assert client.get("/api/facilities").json()["total"] == 0
    listed = client.get("/api/facilities", params={"active": "false"}).json()
    assert [f["code"] for f in listed["items"]] == ["19010"]


def test_invalid_facility_names_each_field(client: TestClient, db: Session) -> None:
    staff_client(client, db, "doh_analyst")
    response = client.post(
        "/api/facilities", json=_body("01001", commune_code="00004", phone="12345")
    )
    assert response.status_code == 422
    problems = {p["field"]: p["message"] for p in response.json()["error"]["problems"]}
    assert "mã tỉnh (19, 06)" in problems["code"]
    assert "không thuộc tỉnh mã 19" in problems["commune_code"]
    assert "phone" in problems
    wrong_kind = client.post("/api/facilities", json={**_body(), "kind": "spa"})
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["error"]["problems"][0]["field"] == "kind"


def test_duplicate_code_is_a_conflict(client: TestClient, db: Session) -> None:
    add_facility(db, "19010")
    staff_client(client, db, "admin")
    response = client.post("/api/facilities", json=_body("19010"))
    assert response.status_code == 409 and "19010" in response.json()["error"]["message"]


def test_receptionist_cannot_change_the_registry(client: TestClient, db: Session) -> None:
    add_facility(db, "19010")
    staff_client(client, db, "receptionist", "19010")
    assert client.post("/api/facilities", json=_body("19011")).status_code == 403
    assert client.patch("/api/facilities/19010", json={"name": "Tên mới"}).status_code == 403


def test_list_filters_search_without_diacritics_and_pages(client: TestClient, db: Session) -> None:
    add_facility(db, "19001", name="Bệnh viện Đa khoa tỉnh")
    add_facility(
        db,
        "19002",
        name="Trạm Y tế xã Đại Từ",
        kind="commune_health_station",
        technical_level="ban_dau",
    )
    add_facility(
        db,
        "06003",
        name="Phòng khám Đa khoa Bắc Kạn",
        kind="polyclinic",
        owner="private",
        commune_code="01843",
    )
    by_name = client.get("/api/facilities", params={"q": "tram y te dai tu"}).json()
    assert [f["code"] for f in by_name["items"]] == ["19002"]
    by_code = client.get("/api/facilities", params={"q": "0600"}).json()
    assert [f["code"] for f in by_code["items"]] == ["06003"]
    private = client.get("/api/facilities", params={"owner": "private"}).json()
    assert [f["code"] for f in private["items"]] == ["06003"]
    page = client.get("/api/facilities", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and [f["code"] for f in page["items"]] == ["19002"]
    assert client.get("/api/facilities", params={"kind": "spa"}).status_code == 422


def test_unknown_facility_is_404_in_vietnamese(client: TestClient) -> None:
    response = client.get("/api/facilities/19999")
    assert (
        response.status_code == 404
        and response.json()["error"]["message"] == "Không có cơ sở KCB mã 19999"
    )


def test_organization_view_uses_vn_core_systems(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    response = client.get("/api/facilities/19001/organization")
    assert response.headers["content-type"].startswith("application/fhir+json")
    resource = response.json()
    assert resource["resourceType"] == "Organization" and resource["id"] == "19001"
    assert resource["identifier"][0] == {
        "use": "official",
        "system": "http://fhir.ehealth.gov.vn/core/sid/provider-code",
        "value": "19001",
    }
    ward = resource["address"][0]["extension"][0]["extension"][1]
    assert ward["url"] == "ward" and ward["valueCodeableConcept"]["coding"][0]["code"] == "05443"


def test_departments_can_be_replaced_with_the_same_codes(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    staff_client(client, db, "doh_analyst")
    departments = [
        {"code": "K01", "name": "Khoa Khám bệnh (mới)"},
        {"code": "K02", "name": "Khoa Cấp cứu"},
    ]
    response = client.patch("/api/facilities/19001", json={"departments": departments})
    assert response.status_code == 200, response.text
    assert response.json()["departments"] == departments
    bad = client.patch(
        "/api/facilities/19001", json={"departments": [{"code": "X1", "name": "Sai"}] * 2}
    )
    assert {p["field"] for p in bad.json()["error"]["problems"]} == {"departments"}
