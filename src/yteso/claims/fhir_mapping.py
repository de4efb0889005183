"""One QĐ 130 episode → the FHIR resources of the shared record (pure; docs/claims-mapping.md).

Ids are derived from MA_CSKCB, MA_LK and the line (`{type}/{MA_CSKCB}-{MA_LK}[-XMLn-STT]`),
so a resend maps to the same resources: what changed becomes a new version, what vanished
is marked entered-in-error (`resend_changes`). Resources are listed so that references
point backwards (except Encounter ↔ Condition, which come first, together), so a long
episode can be written as several Bundles in one database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yteso.claims.envelope import Episode
from yteso.claims.fhir_claim import claim
from yteso.claims.fhir_encounter import (
    condition_id,
    conditions,
    diagnosis_codes,
    encounter,
    measurements,
)
from yteso.claims.fhir_lines import clinical_course, drug_resources, procedures, results
from yteso.claims.fhir_papers import papers
from yteso.claims.fhir_patient import coverages, patient, patient_id
from yteso.claims.fhir_terms import (
    ENTERED_IN_ERROR,
    TERMINOLOGY,
    EpisodeContext,
    Resource,
    concept,
)


@dataclass(slots=True)
class MappedEpisode:
    patient: Resource  # written only when the facility's Patient is new (fhir_intake)
    resources: list[Resource] = field(default_factory=list)

    def keyed(self) -> dict[tuple[str, str], Resource]:
        return {(r["resourceType"], r["id"]): r for r in self.resources}


def context(
    facility: str, episode: Episode, source: str, ids_by_stt: bool = False
) -> EpisodeContext:
    summary = (episode.records("XML1") or [{}])[0]
    ma_lk = summary.get("MA_LK") or episode.ma_lk or ""
    patient = patient_id(facility, summary)
    return EpisodeContext(facility, ma_lk, patient, source, summary, ids_by_stt)


def map_episode(
    facility: str, episode: Episode, source: str, ids_by_stt: bool = False
) -> MappedEpisode:
    """`ids_by_stt`: line resources named as intakes before 2026-12-02 named them."""
    ctx = context(facility, episode, source, ids_by_stt)
    codes = diagnosis_codes(ctx.summary)
    covered = coverages(ctx)
    mapped = MappedEpisode(patient(ctx), [*covered, encounter(ctx, codes), *conditions(ctx)])
    mapped.resources += measurements(ctx)
    for build in (drug_resources, procedures, results, clinical_course, papers):
        mapped.resources += build(ctx, episode)
    condition_ids = [condition_id(ctx, code) for code in codes]
    mapped.resources.append(claim(ctx, episode, [c["id"] for c in covered], condition_ids))
    return mapped


def entered_in_error(resource: Resource) -> Resource:
    """The resource of a line that a resend no longer has."""
    marked = dict(resource)
    if resource["resourceType"] == "Condition":
        marked.pop("clinicalStatus", None)
        status = TERMINOLOGY + "condition-ver-status"
        marked["verificationStatus"] = concept(status, ENTERED_IN_ERROR)
    else:
        marked["status"] = ENTERED_IN_ERROR
    return marked


def _content(resource: Resource) -> dict[str, Any]:
    """The resource without its provenance, to compare two mappings of the same line."""
    return {k: v for k, v in resource.items() if k != "meta"}


def stt_named_lines(
    facility: str, earlier: Episode, source: str, today: MappedEpisode
) -> list[Resource]:
    """The line resources an intake before 2026-12-02 made of `earlier` under ids by STT,
    where they differ from `today`'s mapping of it: if stored, a resend marks them
    entered-in-error."""
    keys = today.keyed()
    by_stt = map_episode(facility, earlier, source, ids_by_stt=True).resources
    return [r for r in by_stt if (r["resourceType"], r["id"]) not in keys]


def resend_changes(previous: MappedEpisode, current: MappedEpisode) -> list[Resource]:
    """What a resend writes: the resources that are new or differ from the previous
    version's mapping, then the previous ones it no longer has, marked entered-in-error."""
    before = previous.keyed()
    changed = [
        r
        for r in current.resources
        if (old := before.get((r["resourceType"], r["id"]))) is None or _content(old) != _content(r)
    ]
    now = current.keyed()
    gone = [entered_in_error(r) for key, r in before.items() if key not in now]
    return changed + gone
