"""The CapabilityStatement, generated from the same definitions the store runs on."""

from __future__ import annotations

from functools import cache
from typing import Any

from yteso.records.definitions import (
    FACILITY_TAG_SYSTEM,
    FHIR_VERSION,
    RESOURCE_TYPES,
    SEARCH_PARAMS,
)

_KIND_DOC = {"token": "token", "string": "string", "date": "date", "reference": "reference"}
_DOCUMENTATION = (
    "Kho hồ sơ sức khỏe dùng chung (FHIR R4). Quyền ghi: HIS của cơ sở hoặc nhân viên lâm "
    "sàng/tiếp đón; tài nguyên thuộc cơ sở ghi trong meta.tag hệ "
    f"{FACILITY_TAG_SYSTEM} (máy chủ tự gắn theo cơ sở của người ghi; không được ghi đè dữ "
    "liệu của cơ sở khác). meta.source ghi tài liệu gốc (Bundle, tệp nhập). Xem hồ sơ người "
    "bệnh cần vai trò lâm sàng/tiếp đón hoặc HIS. Tìm theo định danh người bệnh ở mọi cơ sở: "
    "patient.identifier=<system>|<value> (qua liên kết chỉ mục người bệnh). Nạp hàng loạt: "
    "POST /fhir/$import với thân NDJSON (một giao dịch, tất cả hoặc không). Mọi truy cập "
    "đều được ghi nhật ký."
)
_INTERACTIONS = (
    "read",
    "vread",
    "update",
    "delete",
    "history-instance",
    "history-type",
    "create",
    "search-type",
)


def _resource(res_type: str) -> dict[str, Any]:
    params = [
        {"name": "_id", "type": "token"},
        {"name": "_lastUpdated", "type": "date"},
        {"name": "_tag", "type": "token"},
    ]
    params += [
        {"name": p.name, "type": _KIND_DOC[p.kind]} for p in SEARCH_PARAMS[res_type].values()
    ]
    includes = [
        f"{res_type}:{p.name}" for p in SEARCH_PARAMS[res_type].values() if p.kind == "reference"
    ]
    revincludes = [
        f"{source}:{p.name}"
        for source in RESOURCE_TYPES
        for p in SEARCH_PARAMS[source].values()
        if p.kind == "reference" and (not p.targets or res_type in p.targets)
    ]
    entry: dict[str, Any] = {
        "type": res_type,
        "interaction": [{"code": code} for code in _INTERACTIONS],
        "versioning": "versioned-update",
        "readHistory": True,
        "updateCreate": True,
        "conditionalCreate": True,
        "conditionalUpdate": True,
        "conditionalDelete": "not-supported",
        "searchInclude": includes,
        "searchRevInclude": revincludes,
        "searchParam": params,
    }
    if res_type == "Patient":
        entry["operation"] = [
            {
                "name": "everything",
                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
            }
        ]
    return entry


@cache
def _statement() -> dict[str, Any]:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-25",
        "publisher": "Y Tế Số",
        "kind": "instance",
        "software": {"name": "Y Tế Số FHIR store", "version": "0.1.0"},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": _DOCUMENTATION,
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "OAuth2 client credentials (POST /oauth/token) hoặc phiên "
                    "đăng nhập nhân viên",
                },
                "resource": [_resource(t) for t in RESOURCE_TYPES],
                "interaction": [{"code": "transaction"}, {"code": "batch"}],
                "searchParam": [
                    {"name": "_count", "type": "number"},
                    {"name": "_offset", "type": "number"},
                    {"name": "_sort", "type": "special"},
                    {"name": "_summary", "type": "special", "documentation": "chỉ _summary=count"},
                    {"name": "_total", "type": "special"},
                ],
            }
        ],
    }


def capability_statement(base: str) -> dict[str, Any]:
    return {**_statement(), "implementation": {"description": "Y Tế Số", "url": base}}
