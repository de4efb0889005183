"""Input schemas of the patient index: digits are 0-9, names hold no control characters."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from yteso.patients.schemas import PersonIn

PERSON = {"family_name": "Nguyễn", "given_name": "An", "sex": 1}


def test_a_person_as_entered_is_accepted() -> None:
    person = PersonIn(**PERSON, commune_code="05500", phone="0912345678")
    assert (person.commune_code, person.phone) == ("05500", "0912345678")


@pytest.mark.parametrize(
    "change",
    [
        {"commune_code": "٠٥٥٠٠"},  # Arabic-Indic digits
        {"phone": "0９１２３４５６７８"},  # full-width digits
        {"given_name": "An\x01"},
        {"family_name": "Nguyễn\nVăn"},
        {"address_line": "Tổ 5\x0b"},
    ],
)
def test_other_digits_and_control_characters_are_refused(change: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        PersonIn(**{**PERSON, **change})
