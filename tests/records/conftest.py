from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_facility, bearer


@pytest.fixture
def his(client: TestClient, db: Session) -> dict[str, str]:
    """Bearer headers of facility 19001's HIS."""
    add_facility(db, "19001")
    return bearer(client, db, "his", "19001")


@pytest.fixture
def other_his(client: TestClient, db: Session) -> dict[str, str]:
    add_facility(db, "19002", name="Trung tâm Y tế Thử nghiệm")
    return bearer(client, db, "his", "19002")
