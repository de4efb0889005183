"""The shapes of a QĐ 130 submission once parsed: envelope, episodes (HOSO), inner documents.

Records are ordered dicts of field name → text exactly as written: codes stay strings
("01", "0001"), numbers are parsed only by the validator (Decimal), so parse(write(x)) == x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Record = dict[str, str]


@dataclass(slots=True)
class ClaimDocument:
    """One FILEHOSO: a table (LOAIHOSO) and its records, in file order."""

    table: str
    records: list[Record] = field(default_factory=list)


@dataclass(slots=True)
class Episode:
    """One HOSO: the inner documents of one episode, in file order."""

    documents: list[ClaimDocument] = field(default_factory=list)
    # LOAIHOSO of each FILEHOSO that could not be read (its finding says why): its records
    # are missing, so sums over the episode's lines would be wrong.
    unread: list[str] = field(default_factory=list, compare=False)

    def tables(self, table: str) -> list[ClaimDocument]:
        return [d for d in self.documents if d.table == table]

    def records(self, table: str) -> list[Record]:
        return [r for d in self.documents if d.table == table for r in d.records]

    @property
    def ma_lk(self) -> str | None:
        """The episode key, taken from XML1 (or the first record that has one)."""
        for record in (*self.records("XML1"), *(r for d in self.documents for r in d.records)):
            if record.get("MA_LK"):
                return record["MA_LK"]
        return None


@dataclass(slots=True)
class Envelope:
    """GIAMDINHHS: facility, date made, declared count, episodes and the signature as is."""

    facility_code: str
    created: str  # THONGTINHOSO/NGAYLAP, yyyymmdd
    declared_count: str  # SOLUONGHOSO, as written
    episodes: list[Episode] = field(default_factory=list)
    # CHUKYDONVI re-serialised (namespace prefixes may be renamed): for showing and passing
    # on; verification uses the raw file, which intake stores byte for byte.
    signature: str | None = None
