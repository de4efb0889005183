"""Every official HL7 FHIR R4 example of a supported type is stored and read back unchanged.

The examples come from the npm package hl7.fhir.r4.examples (installed by scripts/test.sh into
tests/fhir-examples). Only meta is the store's own: versionId, lastUpdated and the facility tag
are added, the example's profiles and tags are kept. Numbers are compared as numbers: JSONB on
PostgreSQL keeps a decimal's value, not its spelling (-1.0E+245 comes back as an integer).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from yteso.records import RESOURCE_TYPES

EXAMPLES = Path(__file__).parents[1] / "fhir-examples/node_modules/hl7.fhir.r4.examples"


def _examples() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {t: [] for t in RESOURCE_TYPES}
    for path in sorted(EXAMPLES.glob("*.json")):
        res_type = path.name.split("-", 1)[0]
        if res_type in found:
            resource = json.loads(path.read_text(encoding="utf-8"))
            if resource.get("resourceType") == res_type:
                found[res_type].append(resource)
    return found


@pytest.fixture(scope="module")
def examples() -> dict[str, list[dict[str, Any]]]:
    if not EXAMPLES.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("hl7.fhir.r4.examples missing: npm ci --prefix tests/fhir-examples")
        pytest.skip("hl7.fhir.r4.examples not installed (npm ci --prefix tests/fhir-examples)")
    return _examples()


def test_every_supported_type_has_official_examples(
    examples: dict[str, list[dict[str, Any]]],
) -> None:
    assert [t for t, found in examples.items() if not found] == []
    assert sum(len(found) for found in examples.values()) >= 300


def _content(resource: dict[str, Any]) -> Any:
    """The resource without meta, every number as a float."""
    rest = {key: value for key, value in resource.items() if key != "meta"}
    return json.loads(json.dumps(rest), parse_int=float)


def test_examples_round_trip(
    client: TestClient, his: dict[str, str], examples: dict[str, list[dict[str, Any]]]
) -> None:
    headers = {**his, "Content-Type": "application/fhir+json"}
    refused = {}
    for res_type, resources in examples.items():
        for resource in resources:
            path = f"/fhir/{res_type}/{resource['id']}"
            reply = client.put(path, content=json.dumps(resource), headers=headers)
            if reply.status_code != 201:
                refused[path] = reply.json()["issue"]
    assert refused == {}
    for res_type, resources in examples.items():
        for resource in resources:
            stored = client.get(f"/fhir/{res_type}/{resource['id']}", headers=his).json()
            assert _content(stored) == _content(resource), res_type
            assert stored["meta"]["versionId"] == "1"
            for profile in resource.get("meta", {}).get("profile", []):
                assert profile in stored["meta"]["profile"]
