"""Many small files of one facility in one transaction (the back-fill command).

A HIS archive holds one file per episode. Taken one by one, each file writes its ~35
resources through the record store's transaction path and commits; taken together, their
episodes go through the store's bulk import as one batch file's would. Each file keeps what
`service.submit` gives it: its checks and findings, its raw file and maGiaoDich, its
episodes' versions, its resources' meta.source, its result.

Files that cannot go together say so (`None`) and are then taken one by one: two of them
bringing the same MA_LK or the same bytes, another submission of their MA_LK committed
meanwhile, or a refusal by the record store (whose finding only the file alone can place).

The record store audits the group as it audits a batch file: one `import` event (its id
`urn:yteso:claims:nhom-…`), creates per patient, the stored Patients read by one search.
Each file's `submit` event is the one it would get alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from yteso.claims import repository
from yteso.claims.fhir_intake import MappingFailed, PlannedFile, plan_together, record_episodes
from yteso.claims.service import (
    SOURCE,
    AcceptedFile,
    IntakeResult,
    check_file,
    compared_again,
    plan_file,
    store_file,
)
from yteso.core.collector import cyclic_gc_paused
from yteso.core.db import utcnow
from yteso.records import Caller


def submit_together(
    session: Session,
    files: Sequence[tuple[bytes, str | None]],
    facility_code: str,
    sender: Caller,
    now: datetime | None = None,
) -> list[IntakeResult] | None:
    """The result of each (raw, name) file, as `service.submit` would give it, or None when
    they cannot go together; then nothing was written."""
    with cyclic_gc_paused():
        results = [
            check_file(session, raw, facility_code, sender, name, now or utcnow())
            for raw, name in files
        ]
        accepted = [r for r in results if isinstance(r, AcceptedFile)]
        if not _can_go_together(accepted):
            return None
        if accepted and not _written(session, sender, accepted):
            return None
        return [r.result if isinstance(r, AcceptedFile) else r for r in results]


def _written(session: Session, sender: Caller, accepted: list[AcceptedFile]) -> bool:
    """Write the files' episodes as one batch; False (nothing written) when they cannot."""
    # The store's import event names the group; each resource keeps its file's source.
    writer = Caller(sender.principal, None, sender.address, f"{SOURCE}nhom-{uuid.uuid4().hex}")
    try:
        # Mapped and made into the store's rows before the first write, as a batch file.
        planned = plan_together(session, writer, [plan_file(session, f) for f in accepted])
        repository.take_batch_turn(session)
        with session.begin_nested():
            if any(compared_again(session, file) is not None for file in accepted):
                return False  # another submission of their MA_LK committed meanwhile
            _write(session, writer, accepted, planned)
    except MappingFailed:
        return False
    return True


def _can_go_together(accepted: list[AcceptedFile]) -> bool:
    ma_lks = [key for file in accepted for key in file.comparison.ma_lks]
    digests = {file.sha256 for file in accepted}
    return len(set(ma_lks)) == len(ma_lks) and len(digests) == len(accepted)


def _write(
    session: Session, writer: Caller, accepted: list[AcceptedFile], planned: PlannedFile
) -> None:
    for file in accepted:
        store_file(session, file, file.comparison)
    warnings = record_episodes(session, writer, planned)
    by_episode = {key: file.result for file in accepted for key in file.comparison.ma_lks}
    for warning in warnings:
        by_episode.get(warning.ma_lk or "", accepted[0].result).findings.append(warning)
