"""FHIR responses built from stored JSON text without parsing it again (orjson.Fragment)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi.responses import Response

from yteso.core.db import utcnow
from yteso.records.outcome import Issue, operation_outcome
from yteso.records.writes import Stored

FHIR_JSON = "application/fhir+json; charset=utf-8"


def fhir(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = content if isinstance(content, bytes) else orjson.dumps(content)
    return Response(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def resource(stored: Stored, status: int = 200, base: str | None = None) -> Response:
    headers = {
        "ETag": stored.etag,
        "Last-Modified": stored.last_updated.strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
    if base is not None:
        headers["Location"] = f"{base}/{stored.res_type}/{stored.res_id}/_history/{stored.version}"
    return fhir(stored.body.encode(), status, headers)


def outcome(issues: list[Issue], status: int) -> Response:
    return fhir(operation_outcome(issues), status)


def entry(base: str, res_type: str, res_id: str, body: str, mode: str) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{res_type}/{res_id}",
        "resource": orjson.Fragment(body),
        "search": {"mode": mode},
    }


def _link(base: str, res_type: str, echo: Sequence[tuple[str, str]], offset: int) -> str:
    return f"{base}/{res_type}?" + urlencode([*echo, ("_offset", str(offset))])


def searchset(
    base: str,
    res_type: str,
    echo: Sequence[tuple[str, str]],
    page: tuple[int, int, bool],
    entries: list[dict[str, Any]],
    total: int | None,
    warnings: list[Issue],
) -> dict[str, Any]:
    """page = (offset, count, has_next): links stay stable because the order is total."""
    offset, count, has_next = page
    links = [{"relation": "self", "url": _link(base, res_type, echo, offset)}]
    if has_next:
        links.append({"relation": "next", "url": _link(base, res_type, echo, offset + count)})
    if offset > 0:
        links.append(
            {"relation": "previous", "url": _link(base, res_type, echo, max(offset - count, 0))}
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": utcnow().isoformat(),
    }
    if total is not None:
        bundle["total"] = total
    bundle["link"] = links
    if warnings:
        entries = [
            *entries,
            {"resource": operation_outcome(warnings), "search": {"mode": "outcome"}},
        ]
    bundle["entry"] = entries
    return bundle


def history_bundle(base: str, rows: list[Any]) -> dict[str, Any]:
    entries = []
    for res_type, res_id, version, last_updated, method, body in rows:
        item: dict[str, Any] = {"fullUrl": f"{base}/{res_type}/{res_id}"}
        if body is not None:
            item["resource"] = orjson.Fragment(body)
        item["request"] = {
            "method": method,
            "url": f"{res_type}/{res_id}" if method != "POST" else res_type,
        }
        item["response"] = {
            "status": "410" if method == "DELETE" else "200",
            "etag": f'W/"{version}"',
            "lastModified": last_updated.isoformat(),
        }
        entries.append(item)
    return {"resourceType": "Bundle", "type": "history", "total": len(entries), "entry": entries}
