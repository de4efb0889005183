"""batch and transaction Bundles.

A transaction is atomic: any failing entry fails the request, and the request's unit of
work rolls everything back. `urn:uuid:` fullUrls of POST entries get server ids before any
entry is processed, and references to them are rewritten; references to `Type/id` must
name a resource in the store or in the Bundle. A batch runs each entry in a savepoint and
reports each outcome. Bundles above YTESO_FHIR_MAX_BUNDLE_ENTRIES (default 1000) are refused.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
from sqlalchemy.orm import Session

from yteso.records import access, reading, repository, service
from yteso.records.access import Caller
from yteso.records.definitions import RESOURCE_TYPES
from yteso.records.indexing import compartment_patient, parse_reference
from yteso.records.outcome import FhirError, Issue, fail, operation_outcome
from yteso.records.repository import Current
from yteso.records.writes import Pending, Stored

_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2, "GET": 3}


def max_entries() -> int:
    return int(os.environ.get("YTESO_FHIR_MAX_BUNDLE_ENTRIES", "1000"))


def process(session: Session, caller: Caller, base: str, bundle: Any) -> dict[str, Any]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise fail(400, "invalid", "Cần một Bundle loại transaction hoặc batch")
    kind = bundle.get("type")
    entries = bundle.get("entry") or []
    if kind not in ("transaction", "batch") or not isinstance(entries, list):
        raise fail(400, "invalid", "Bundle.type phải là transaction hoặc batch", "Bundle.type")
    if len(entries) > max_entries():
        raise fail(
            413,
            "too-costly",
            f"Bundle có {len(entries)} mục, vượt giới hạn {max_entries()}; hãy chia nhỏ",
        )
    source = caller.source or (f"urn:uuid:{bundle['id']}" if bundle.get("id") else None)
    caller = Caller(caller.principal, caller.factory, caller.address, source)
    if kind == "batch":
        return _batch(session, caller, base, entries)
    return _transaction(session, caller, base, entries)


def _request(entry: Any, index: int) -> tuple[str, str]:
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or request.get("method") not in _ORDER:
        raise fail(
            400,
            "invalid",
            "Mục thiếu request.method (GET, POST, PUT, DELETE)",
            f"Bundle.entry[{index}].request",
        )
    url = str(request.get("url", "")).removeprefix("/")
    if not url:
        raise fail(400, "invalid", "Mục thiếu request.url", f"Bundle.entry[{index}].request.url")
    return request["method"], url


def _rewrite(node: Any, ids: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str) and ref in ids:
            node["reference"] = ids[ref]
        for value in node.values():
            _rewrite(value, ids)
    elif isinstance(node, list):
        for item in node:
            _rewrite(item, ids)


def _collect_refs(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            found.append(node["reference"])
        for key, value in node.items():
            if key != "contained":
                _collect_refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect_refs(item, found)


def _check_references(session: Session, entries: list[Any], known: set[str]) -> None:
    """Every reference resolves: to an entry of the Bundle or to a stored resource."""
    wanted: dict[str, set[str]] = defaultdict(set)
    problems = []
    for index, entry in enumerate(entries):
        refs: list[str] = []
        _collect_refs(entry.get("resource"), refs)
        for ref in refs:
            if ref.startswith("urn:uuid:"):
                problems.append(
                    Issue(
                        "error",
                        "not-found",
                        f"Tham chiếu {ref} không trỏ tới mục nào của Bundle",
                        f"Bundle.entry[{index}]",
                    )
                )
            parsed = parse_reference(ref)
            if parsed and f"{parsed[0]}/{parsed[1]}" not in known:
                wanted[parsed[0]].add(parsed[1])
    for res_type, ids in wanted.items():
        missing = ids - set(repository.existing_versions(session, res_type, sorted(ids)))
        problems += [
            Issue(
                "error", "not-found", f"Tham chiếu tới {res_type}/{i} không tồn tại", "Bundle.entry"
            )
            for i in sorted(missing)
        ]
    if problems:
        raise FhirError(400, problems)


def _assign_ids(entries: list[Any]) -> tuple[dict[str, str], set[str]]:
    ids: dict[str, str] = {}
    known: set[str] = set()
    for index, entry in enumerate(entries):
        method, url = _request(entry, index)
        resource = entry.get("resource")
        if method == "POST" and isinstance(resource, dict):
            resource["id"] = service.new_id()
            full_url = entry.get("fullUrl")
            if isinstance(full_url, str):
                ids[full_url] = f"{url.split('?')[0]}/{resource['id']}"
            known.add(f"{url.split('?')[0]}/{resource['id']}")
        elif method == "PUT" and "?" not in url:
            known.add(url)
    return ids, known


def _plain_puts(session: Session, entries: list[Any]) -> dict[tuple[str, str], Current | None]:
    """The current version of each resource a plain PUT (no condition, no If-Match) names
    once in the Bundle, read with one query per type so the PUTs can be written together."""
    seen: dict[tuple[str, str], int] = defaultdict(int)
    plain: list[tuple[str, str]] = []
    for index, entry in enumerate(entries):
        method, url = _request(entry, index)
        parts = url.split("/")
        if "?" in url or len(parts) != 2:
            continue
        key = (parts[0], parts[1])
        seen[key] += 1
        if method == "PUT" and not (entry.get("request") or {}).get("ifMatch"):
            plain.append(key)
    wanted: dict[str, list[str]] = defaultdict(list)
    for res_type, res_id in plain:
        if seen[(res_type, res_id)] == 1 and res_type in RESOURCE_TYPES:
            wanted[res_type].append(res_id)
    current = repository.get_current_many(session, wanted)
    return {(t, i): current.get((t, i)) for t, ids in wanted.items() for i in ids}


def _transaction(session: Session, caller: Caller, base: str, entries: list[Any]) -> dict[str, Any]:
    ids, known = _assign_ids(entries)
    if ids:  # the fullUrls of POST entries: without them there is nothing to rewrite
        for entry in entries:
            _rewrite(entry.get("resource"), ids)
    _check_references(session, entries, known)
    results: dict[int, dict[str, Any]] = {}
    pending = Pending()
    puts = _plain_puts(session, entries)
    order = sorted(range(len(entries)), key=lambda i: _ORDER[_request(entries[i], i)[0]])
    for index in order:
        try:
            results[index] = _entry(session, caller, base, entries[index], index, pending, puts)
        except FhirError as error:
            for issue in error.issues:
                where = f"Bundle.entry[{index}]" + (
                    f": {issue.expression}" if issue.expression else ""
                )
                error.issues[error.issues.index(issue)] = Issue(
                    issue.severity, issue.code, issue.diagnostics, where
                )
            raise
    pending.flush(session)
    access.audit_found(session, caller, "create", pending.created)
    access.audit_found(session, caller, "update", pending.updated)
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [results[i] for i in range(len(entries))],
    }


def _batch(session: Session, caller: Caller, base: str, entries: list[Any]) -> dict[str, Any]:
    results = []
    for index, entry in enumerate(entries):
        try:
            with session.begin_nested():
                pending = Pending()
                result = _entry(session, caller, base, entry, index, pending)
                pending.flush(session)
                access.audit_found(session, caller, "create", pending.created)
        except FhirError as error:
            result = {
                "response": {
                    "status": str(error.status),
                    "outcome": operation_outcome(error.issues),
                }
            }
        results.append(result)
    return {"resourceType": "Bundle", "type": "batch-response", "entry": results}


def _written(stored: Stored, status: int) -> dict[str, Any]:
    return {
        "response": {
            "status": "201 Created" if status == 201 else "200 OK",
            "location": f"{stored.res_type}/{stored.res_id}/_history/{stored.version}",
            "etag": stored.etag,
            "lastModified": stored.last_updated.isoformat(),
        }
    }


def _entry(
    session: Session,
    caller: Caller,
    base: str,
    entry: dict[str, Any],
    index: int,
    pending: Pending,
    puts: dict[tuple[str, str], Current | None] | None = None,
) -> dict[str, Any]:
    method, url = _request(entry, index)
    path, _, query = url.partition("?")
    parts = path.split("/")
    resource = entry.get("resource")
    if parts[0] not in RESOURCE_TYPES:
        raise fail(400, "not-supported", f"Loại tài nguyên không hỗ trợ: {parts[0]}")
    if method == "POST":
        condition = (entry.get("request") or {}).get("ifNoneExist")
        if condition:
            pending.flush(session)
            status, stored = service.create(session, caller, resource, condition, keep_id=True)
            return _written(stored, status)
        if not isinstance(resource, dict) or resource.get("resourceType") != parts[0]:
            raise fail(400, "invalid", f"Mục POST {parts[0]} cần resource cùng loại")
        stored = service.write_new(session, caller, resource, pending, pending.created)
        return _written(stored, 201)
    if method == "PUT" and puts is not None and (parts[0], parts[-1]) in puts:
        return _queued_put(session, caller, parts, resource, puts[(parts[0], parts[-1])], pending)
    pending.flush(session)
    if method == "PUT":
        if query:
            status, stored = service.conditional_update(session, caller, parts[0], query, resource)
        else:
            if_match = (entry.get("request") or {}).get("ifMatch")
            status, stored = service.update(
                session, caller, parts[0], parts[-1], resource, if_match
            )
        return _written(stored, status)
    if method == "DELETE":
        service.delete(session, caller, parts[0], parts[-1])
        return {"response": {"status": "204 No Content"}}
    return _get(session, caller, base, parts, query)


def _queued_put(
    session: Session,
    caller: Caller,
    parts: list[str],
    resource: Any,
    current: Current | None,
    pending: Pending,
) -> dict[str, Any]:
    service.check_put(parts[0], parts[1], resource)
    if current is None:
        stored = service.write_new(
            session, caller, resource, pending, pending.created, validated=True
        )
        return _written(stored, 201)
    stored = service.queue_replace(session, caller, resource, current, pending)
    pending.updated.append((stored.res_type, stored.res_id, compartment_patient(resource)))
    return _written(stored, 200)


def _get(
    session: Session, caller: Caller, base: str, parts: list[str], query: str
) -> dict[str, Any]:
    if len(parts) == 2:
        stored = service.read(session, caller, parts[0], parts[1])
        return {
            "resource": orjson.Fragment(stored.body),
            "response": {"status": "200 OK", "etag": stored.etag},
        }
    pairs = parse_qsl(urlsplit("?" + query).query, keep_blank_values=True)
    bundle = reading.run_search(session, caller, base, parts[0], pairs, strict=False)
    return {"resource": bundle, "response": {"status": "200 OK"}}
