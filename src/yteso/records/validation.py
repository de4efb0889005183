"""Structural validation and the codes the platform relies on (pure; no database).

Structure (400): known resourceType, id syntax, only the type's top-level elements, lists
where FHIR has lists, well-formed references. Codes (422): ICD-10 in Condition.code against
QĐ 4469, VN Core identifier formats (CCCD, CMND, BHYT, passport).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import orjson

from yteso.records.definitions import ICD10_SYSTEMS, RESOURCE_TYPES, SID_BASE
from yteso.records.elements import allowed_elements
from yteso.records.outcome import FhirError, Issue
from yteso.reference import icd10

ID_PATTERN = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# A type fits the index's 40 characters (R4's longest type has 33), an id its 64.
_REFERENCE = re.compile(
    r"^(?:(?P<type>[A-Z][A-Za-z]{1,39})/(?P<id>[A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]+)?"
    r"|urn:uuid:[0-9a-fA-F\-]{36}|urn:oid:[0-9.]+|#[A-Za-z0-9\-.]*|https?://\S+)$"
)
# The same on ASCII bytes, matched in place with fullmatch(text, start, end): `^` would not
# match at `start` (\S is only ASCII whitespace there, hence ASCII only).
_REFERENCE_BYTES = re.compile(_REFERENCE.pattern.removeprefix("^").removesuffix("$").encode())
# A JSON string as `"[^"\\]*(?:\\.[^"\\]*)*"`: the same strings as `"(?:[^"\\]|\\.)*"`, a third
# of the time (one repeat over a character set instead of an alternation per character).
_REFERENCE_TEXT = re.compile(rb'"reference"\s*:\s*("[^"\\]*(?:\\.[^"\\]*)*"|[^\s,}\]]+)')
# The forms of _REFERENCE_BYTES that a JSON string holds as they are: ASCII, no quote, no
# backslash (\S+ is only the URL's tail).
_PLAIN_REFERENCE = _REFERENCE_BYTES.pattern.replace(rb"\S+", rb'[^\s"\\\x80-\xff]+')
# A "reference" whose value is not a plain reference string. Texts without one (nearly all)
# skip the value-by-value check in one search; \s*+ (possessive) so the look-ahead starts
# at the value, as _REFERENCE_TEXT's group does.
_ODD_REFERENCE = re.compile(rb'"reference"\s*+:\s*+(?!"(?:' + _PLAIN_REFERENCE + rb')")')
_IDENTIFIER_FORMATS = {
    SID_BASE + "national_id": (re.compile(r"^\d{12}$", re.ASCII), "CCCD phải gồm 12 chữ số"),
    SID_BASE + "citizen_id": (re.compile(r"^\d{9}$", re.ASCII), "CMND phải gồm 9 chữ số"),
    SID_BASE + "insurance_number": (
        re.compile(r"^[A-Z]{2}\d{13}$", re.ASCII),
        "số thẻ BHYT gồm 15 ký tự: 2 chữ cái nhóm đối tượng và 13 chữ số",
    ),
    SID_BASE + "passport_number": (
        re.compile(r"^[A-Z]\d{7}$", re.ASCII),
        "số hộ chiếu gồm 1 chữ cái in hoa và 7 chữ số",
    ),
}
# Top-level elements that are lists in every type that has them.
_LISTS = frozenset(
    {
        "identifier",
        "name",
        "telecom",
        "address",
        "category",
        "note",
        "contained",
        "extension",
        "modifierExtension",
        "reasonCode",
        "reasonReference",
        "participant",
        "component",
        "basedOn",
        "dosageInstruction",
    }
)
# Where one of those names is a single element in R4.
_SINGLE = frozenset(
    {
        ("Organization", "name"),
        ("Location", "name"),
        ("Location", "address"),
        ("MedicationRequest", "performer"),
        ("MedicationDispense", "category"),
        ("Procedure", "category"),
        ("Composition", "identifier"),
        ("Task", "reasonCode"),
        ("Task", "reasonReference"),
    }
)
_STRINGS = frozenset(
    {"id", "status", "gender", "birthDate", "issued", "recordedDate", "authoredOn"}
)


def check_resource(
    resource: Any, expected_type: str | None = None, text: bytes | str | None = None
) -> None:
    """Raise FhirError (400 structure, 422 codes) listing every problem found.

    References are checked by one regex pass over `text`, the JSON the resource was parsed
    from (written out from the resource when not given); the element-by-element walk then
    only runs to name a bad one."""
    structure = structural_issues(resource, expected_type, text)
    if structure:
        raise FhirError(400, structure)
    codes = code_issues(resource)
    if codes:
        raise FhirError(422, codes)


def structural_issues(
    resource: Any, expected_type: str | None = None, text: bytes | str | None = None
) -> list[Issue]:
    if not isinstance(resource, dict):
        return [Issue("error", "structure", "Tài nguyên phải là một đối tượng JSON")]
    res_type = resource.get("resourceType")
    if res_type not in RESOURCE_TYPES:
        return [
            Issue(
                "error",
                "not-supported",
                f"Loại tài nguyên không hỗ trợ: {res_type!r}",
                "resourceType",
            )
        ]
    issues: list[Issue] = []
    if expected_type and res_type != expected_type:
        issues.append(
            Issue(
                "error",
                "invalid",
                f"resourceType {res_type} không khớp với đường dẫn {expected_type}",
                "resourceType",
            )
        )
    res_id = resource.get("id")
    if res_id is not None and (not isinstance(res_id, str) or not ID_PATTERN.match(res_id)):
        issues.append(
            Issue(
                "error", "value", "id chỉ gồm A-Z a-z 0-9 - . (tối đa 64 ký tự)", f"{res_type}.id"
            )
        )
    issues += _element_issues(res_type, resource)
    if not _references_fine(resource, text):
        issues += _reference_issues(resource, res_type)
    return issues


@cache
def _known_lists(res_type: str) -> tuple[set[str], frozenset[str], frozenset[str]]:
    """Element names seen valid for the type (grown as choice names are met), the names
    that must be lists in it, and those of _LISTS that must not."""
    plain, _choices = allowed_elements(res_type)
    singles = frozenset(k for t, k in _SINGLE if t == res_type)
    return set(plain), frozenset(_LISTS - singles), singles


def _elements_look_fine(res_type: str, resource: dict[str, Any]) -> bool:
    """The common case in a few set operations; False sends the resource to the full check."""
    known, lists, singles = _known_lists(res_type)
    keys = resource.keys()
    if not known.issuperset(keys):
        return False
    meta = resource.get("meta")
    return (
        all(isinstance(resource[k], list) for k in lists.intersection(keys))
        and not any(isinstance(resource[k], list) for k in singles.intersection(keys))
        and all(isinstance(resource[k], str) for k in _STRINGS.intersection(keys))
        and (meta is None or isinstance(meta, dict))
    )


def _element_issues(res_type: str, resource: dict[str, Any]) -> list[Issue]:
    if _elements_look_fine(res_type, resource):
        return []
    plain, choices = allowed_elements(res_type)
    known_names = _known_lists(res_type)[0]
    issues = []
    for key, value in resource.items():
        name = key[1:] if key.startswith("_") else key
        known = name in plain or any(
            name.startswith(c) and name[len(c) :][:1].isupper() for c in choices
        )
        if not known:
            issues.append(
                Issue("error", "structure", f"Phần tử không được phép: {key}", f"{res_type}.{key}")
            )
            continue
        known_names.add(key)
        single = (res_type, key) in _SINGLE
        if key in _LISTS and not single and not isinstance(value, list):
            issues.append(
                Issue("error", "structure", f"{key} phải là một mảng", f"{res_type}.{key}")
            )
        elif single and isinstance(value, list):
            issues.append(
                Issue(
                    "error",
                    "structure",
                    f"{key} của {res_type} chỉ có một giá trị (FHIR R4), không phải một mảng",
                    f"{res_type}.{key}",
                )
            )
        elif key in _STRINGS and not isinstance(value, str):
            issues.append(Issue("error", "structure", f"{key} phải là chuỗi", f"{res_type}.{key}"))
        elif key == "meta" and not isinstance(value, dict):
            issues.append(
                Issue("error", "structure", "meta phải là một đối tượng", f"{res_type}.meta")
            )
    return issues


def _references_fine(resource: dict[str, Any], text: bytes | str | None) -> bool:
    """Every "reference" a well-formed string, by the text; False sends the resource to the
    walk that names the bad ones. Without the text the resource is written out for this:
    orjson does it in C faster than Python visits the elements."""
    if text is None:
        try:
            text = orjson.dumps(resource)
        except orjson.JSONEncodeError:  # not JSON as it stands (a key not a string …)
            return False
    return _references_look_fine(text)


def _references_look_fine(text: bytes | str) -> bool:
    raw = text if isinstance(text, bytes) else text.encode()
    if _ODD_REFERENCE.search(raw) is None:
        return True
    for match in _REFERENCE_TEXT.finditer(raw):
        value = match.group(1)
        if not value.startswith(b'"') or b"\\" in value:
            return False
        if value.isascii():
            if not _REFERENCE_BYTES.fullmatch(value, 1, len(value) - 1):
                return False
        elif not _REFERENCE.match(value[1:-1].decode()):
            return False
    return True


def _reference_issues(node: Any, path: str) -> list[Issue]:
    issues: list[Issue] = []
    if isinstance(node, dict):
        ref = node.get("reference")
        # Claim.related.reference is an Identifier, the one "reference" that is not a Reference.
        reference_like = not isinstance(ref, dict)
        if "reference" in node and reference_like and not _REFERENCE.match(str(ref)):
            issues.append(
                Issue("error", "value", f"Tham chiếu sai định dạng: {ref!r}", f"{path}.reference")
            )
        for key, value in node.items():
            if isinstance(value, dict | list) and key != "contained":
                issues += _reference_issues(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            issues += _reference_issues(item, f"{path}[{index}]")
    return issues


def code_issues(resource: dict[str, Any]) -> list[Issue]:
    res_type = resource["resourceType"]
    issues = []
    for index, identifier in enumerate(_dicts(resource.get("identifier"))):
        rule = _IDENTIFIER_FORMATS.get(str(identifier.get("system", "")))
        value = identifier.get("value")
        if rule and not (isinstance(value, str) and rule[0].match(value)):
            issues.append(
                Issue(
                    "error",
                    "value",
                    f"{rule[1]} (nhận {value!r})",
                    f"{res_type}.identifier[{index}].value",
                )
            )
    if res_type == "Condition":
        code = resource.get("code")
        codings = _dicts(code.get("coding")) if isinstance(code, dict) else []
        for index, coding in enumerate(codings):
            if coding.get("system") in ICD10_SYSTEMS and icd10.get(str(coding.get("code"))) is None:
                issues.append(
                    Issue(
                        "error",
                        "code-invalid",
                        f"Mã ICD-10 {coding.get('code')!r} không có trong QĐ 4469",
                        f"Condition.code.coding[{index}].code",
                    )
                )
    return issues


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
