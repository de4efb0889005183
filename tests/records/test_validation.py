"""Structural checks give the same issues whether the resource's JSON text is given or not,
and whether or not the resource can be written out as JSON."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.records import fixtures as fx
from yteso.records.outcome import FhirError
from yteso.records.validation import check_resource

BAD_REFERENCES = [
    "not a reference",
    "Patient/1 ",
    "Bệnh nhân/1",
    'Patient/"1',
    "Patient\\1",
    "Patient/1\u0085",
    "P" + "r" * 40 + "/1",  # longer than any resource type: would not fit the index
]


def _issues(resource: Any, text: bytes | str | None = None) -> list[tuple[Any, ...]]:
    try:
        check_resource(resource, text=text)
    except FhirError as error:
        return [(error.status, i.code, i.expression) for i in error.issues]
    return []


@pytest.mark.parametrize("reference", BAD_REFERENCES)
def test_a_bad_reference_is_named_with_or_without_the_text(reference: str) -> None:
    observation = fx.observation("p1")
    observation["performer"] = [{"reference": "Practitioner/1"}, {"reference": reference}]
    expected = [(400, "value", "Observation.performer[1].reference")]
    assert _issues(observation) == expected
    assert _issues(observation, orjson.dumps(observation)) == expected
    assert _issues(observation, orjson.dumps(observation).decode()) == expected


def test_references_in_a_resource_that_is_not_json_as_it_stands() -> None:
    observation = fx.observation("p1")
    observation["extension"] = [
        {"url": "urn:a", "valueQuantity": {"value": 2**70}},  # too big for orjson
        {"url": "urn:b", "valueReference": {"reference": "Patient/\ud800"}},  # lone surrogate
    ]
    assert _issues(observation) == [
        (400, "value", "Observation.extension[1].valueReference.reference")
    ]
    observation["extension"].pop()
    assert _issues(observation) == []


def test_good_references_of_every_form_pass() -> None:
    references = ["Patient/1", "Patient/1/_history/2", "urn:uuid:" + "0" * 36, "#c1"]
    references += ["urn:oid:1.2.3", "https://example.org/fhir/Patient/1", "Patient/a.b"]
    observation = fx.observation("p1")
    observation["performer"] = [{"reference": r} for r in references]
    assert _issues(observation) == []
    assert _issues(observation, orjson.dumps(observation)) == []


@pytest.mark.parametrize(
    ("reference", "fine"),
    [
        ("Patient/1", True),
        ("https://ví-dụ.vn/Patient/1", True),
        ("https://example.org/a\u00a0b", False),  # no-break space: not \S in Unicode
        ("Patient/" + "1" * 65, False),
        ("Patient/1\n", True),  # `$` matches before a final newline, as it always did
    ],
)
@pytest.mark.parametrize("spelling", ['"reference":{}', '"reference" :\t{}', '"reference": {}'])
def test_the_line_text_and_the_walk_agree(reference: str, fine: bool, spelling: str) -> None:
    subject = spelling.format(orjson.dumps(reference).decode())
    text = '{"resourceType":"Observation","status":"final","subject":{' + subject + "}}"
    resource = orjson.loads(text)
    expected = [] if fine else [(400, "value", "Observation.subject.reference")]
    assert _issues(resource) == expected
    assert _issues(resource, text) == expected
    assert _issues(resource, text.encode()) == expected
