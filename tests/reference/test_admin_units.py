from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from yteso.core.errors import ValidationFailed
from yteso.reference import admin_units
from yteso.reference.crosswalk import current_commune, read_crosswalk, record_crosswalk


def test_thai_nguyen_has_92_communes_from_two_former_provinces() -> None:
    communes = admin_units.communes(19)
    assert len(communes) == 92
    assert len(admin_units.provinces()) == 34 and len(admin_units.communes()) == 3321
    former = {c.former_province_code for c in communes}
    assert former == {6, 19}
    bac_kan = admin_units.get_commune("01843")
    assert bac_kan is not None and bac_kan.former_province_code == 6  # Phường Bắc Kạn
    centre = admin_units.get_commune(5443)
    assert centre is not None and centre.name == "Phường Phan Đình Phùng"


def test_former_province_is_left_unknown_where_codes_cannot_tell() -> None:
    # Hưng Yên and Thái Bình (33, 34) had neighbouring code blocks and merged into one.
    formers = {c.former_province_code for c in admin_units.communes(33)}
    assert formers == {None}


def test_commune_search_ignores_diacritics() -> None:
    names = [c.name for c in admin_units.search_communes("dai tu", 19)]
    assert "Xã Đại Từ" in names


def test_communes_api(client: TestClient) -> None:
    response = client.get("/api/reference/communes", params={"province": 19})
    assert response.status_code == 200 and len(response.json()) == 92
    assert client.get("/api/reference/communes", params={"province": 6}).status_code == 404
    found = client.get(
        "/api/reference/communes", params={"province": 19, "q": "phan dinh phung"}
    ).json()
    assert [c["code"] for c in found] == ["05443"]


CROSSWALK = (
    "old_code,old_name,new_code,old_district_name,old_province_code\n"
    "05445,Xã Cũ,05443,Thành phố Thái Nguyên,19\n"
)


def test_crosswalk_maps_old_codes_to_current_communes(client: TestClient, db: Session) -> None:
    record_crosswalk(db, read_crosswalk(CROSSWALK))
    db.commit()
    commune = current_commune(db, "05445")
    assert commune is not None and commune.code == "05443"
    assert client.get("/api/reference/communes/05445").json()["name"] == "Phường Phan Đình Phùng"
    assert client.get("/api/reference/communes/05444").status_code == 404


def test_crosswalk_rows_with_unknown_codes_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_crosswalk("old_code,old_name,new_code\n5500,Xã Cũ,99999\n,,\n")
    found = {(p.row, p.field) for p in caught.value.problems}
    assert {(1, "old_code"), (1, "new_code"), (2, "old_name")} <= found
