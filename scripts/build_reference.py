"""Build the ICD-10 and QĐ 130/4750 package data from the official spreadsheets.

Run from the repository root: `.venv/bin/python scripts/build_reference.py [--source DIR]`.
Reads icd10-qd4469.xlsx, qd4750-annex.xlsx and qd4750-validation-rules.xlsx (openpyxl,
cached cell values) and writes src/yteso/reference/data/icd10.json.gz and qd130_tables.json;
copies the given-name lists to src/yteso/synth/data/. The output is byte-for-byte
deterministic, so a rerun on the same sources leaves git clean.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import shutil
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DATA = ROOT / "src/yteso/reference/data"
SYNTH_DATA = ROOT / "src/yteso/synth/data"
NAME_FILES = ("given-names-male.txt", "given-names-female.txt")
EXPECTED_ICD_ROWS = 12_219  # the count QĐ 4469 announces; duplicated category rows included

Row = tuple[Any, ...]

CODE_RE = re.compile(r"^[A-Z][0-9]{2}[0-9A-Z]{0,2}$")
YEAR_DAYS = 365.25


# Year bounds in days, rounded in the patient's favour (a birthday can be off by one day).
def from_years(n: int) -> int:
    return math.floor(n * YEAR_DAYS)


def to_years(n: int) -> int:
    return math.ceil((n + 1) * YEAR_DAYS) - 1


def over_years(n: int) -> int:
    return math.floor(n * YEAR_DAYS) + 1


# Age annexes: id -> (limit as the title words it, min days, max days, English label).
# The build fails if a title no longer contains its wording, i.e. a new annex moved a limit.
AGE_RULES: dict[str, tuple[str, int | None, int | None, str]] = {
    "A3.1": ("0 - 365 ngày", 0, 365, "0-365 days"),
    "A3.2": ("0 ngày - 2 tuổi", 0, to_years(2), "0 days to 2 years"),
    "A3.3": ("0 ngày – 10 tuổi", 0, to_years(10), "0 days to 10 years"),
    "A3.4": ("0 ngày – 19 tuổi", 0, to_years(19), "0 days to 19 years"),
    "A3.5": ("trên 27 ngày tuổi", 28, None, "over 27 days"),
    "A3.6": ("1 tuổi trở lên", from_years(1), None, "1 year or older"),
    "A3.7": ("8 – 19 tuổi", from_years(8), to_years(19), "8-19 years"),
    "A3.8": ("9 – 60 tuổi", from_years(9), to_years(60), "9-60 years"),
    "A3.9": ("trên 15 tuổi", over_years(15), None, "over 15 years"),
    "A3.10": ("trên 30 tuổi", over_years(30), None, "over 30 years"),
}
SEX_SHEETS = {"A4.1": "female", "A4.2": "male"}

# Inner XML of each table, root/list/record, as STANDARDS.md §1 gives it. It elides XML6
# after the root ("…") and the annex names no element there, so XML6 stays partly unknown.
# XML12 is entered on the portal and has no XML.
XML_LAYOUT = {
    0: "CHI_TIEU_TRANG_THAI_KCB/DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB",
    1: "TONG_HOP",
    2: "CHITIEU_CHITIET_THUOC/DSACH_CHI_TIET_THUOC/CHI_TIET_THUOC",
    3: "CHITIEU_CHITIET_DVKT_VTYT/DSACH_CHI_TIET_DVKT/CHI_TIET_DVKT",
    4: "CHITIEU_CHITIET_DICHVUCANLAMSANG/DSACH_CHI_TIET_CLS/CHI_TIET_CLS",
    5: "CHITIEU_CHITIET_DIENBIENLAMSANG/DSACH_CHI_TIET_DIEN_BIEN_BENH/CHI_TIET_DIEN_BIEN_BENH",
    6: "CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS/…",
    7: "CHI_TIEU_DU_LIEU_GIAY_RA_VIEN",
    8: "CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN",
    9: "CHI_TIEU_DU_LIEU_GIAY_CHUNG_SINH/DSACH_GIAYCHUNGSINH/DU_LIEU_GIAY_CHUNG_SINH",
    10: "CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI",
    11: "CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI",
    12: "",
    13: "CHI_TIEU_GIAYCHUYENTUYEN",
    14: "CHI_TIEU_GIAYHEN_KHAMLAI",
    15: "CHI_TIEU_DIEUTRI_BENHLAO/DSACH_CHITIET_DIEUTRI_BENHLAO/CHITIET_DIEUTRI_BENHLAO",
}
PORTAL_ONLY_TABLES = {12}
FIELD_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
TYPE_FIX_RE = re.compile(r"Đổi kiểu dữ liệu thành (chuỗi|số)", re.IGNORECASE)
SIZE_FIX_RE = re.compile(r"Tăng kích thước tối đa lên (\d+) ký tự", re.IGNORECASE)
TYPES = {"chuỗi": "string", "số": "number"}


# --- shared helpers -------------------------------------------------------------------


def text(value: object) -> str | None:
    """NFC text with line structure kept (annex descriptions are multi-line lists)."""
    if value is None:
        return None
    lines = unicodedata.normalize("NFC", str(value)).replace("\r", "").split("\n")
    joined = "\n".join(" ".join(line.split()) for line in lines).strip()
    return joined or None


def line(value: object) -> str:
    """Single-line NFC text: names and titles."""
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def rows(path: Path) -> dict[str, list[Row]]:
    """Cell values of every sheet, by sheet name, in workbook order."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    finally:
        workbook.close()


def write(path: Path, payload: object, *, compress: bool) -> None:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    raw = data.encode("utf-8") + b"\n"
    # mtime=0 keeps the gzip header, and so the committed bytes, identical across reruns.
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0) if compress else raw)
    print(f"  wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


# --- ICD-10 ---------------------------------------------------------------------------


def icd_main(sheet_rows: list[Row]) -> tuple[list[list[str]], dict[str, Any], dict[str, Any]]:
    """Codes in sheet order, chapters and groups from the 'ICD10' sheet.

    82 category codes appear twice: a plain header row, then a row marked † or * (the
    entry itself, with the update date); the marked row's names win.
    """
    header = [line(v) for v in sheet_rows[2]]
    assert header[16] == "MÃ BỆNH" and header[17] == "MÃ BỆNH KHÔNG DẤU", header
    data = [r for r in sheet_rows[3:] if line(r[17])]
    assert len(data) == EXPECTED_ICD_ROWS, f"{len(data)} rows, QĐ 4469 announces 12,219"
    codes: dict[str, list[str]] = {}
    chapters: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    for r in data:
        nodot, shown = line(r[17]), line(r[16])
        mark = "dagger" if "†" in shown else "asterisk" if "*" in shown else ""
        assert CODE_RE.match(nodot) and shown.strip("†*").replace(".", "") == nodot, shown
        chapter = line(r[0])
        add_once(chapters, chapter, [line(r[1]), line(r[3]), line(r[2])])
        keys = []
        for col in (4, 7, 10):
            key = line(r[col])
            if key:
                add_once(groups, key, [line(r[col + 2]), line(r[col + 1])])
            keys.append(key)
        if nodot in codes and not mark:
            continue
        codes[nodot] = [nodot, line(r[19]), line(r[18]), chapter, *keys, mark]
    return list(codes.values()), chapters, groups


def add_once(table: dict[str, Any], key: str, value: list[str]) -> None:
    previous = table.setdefault(key, value)
    assert previous == value, f"{key}: {previous} != {value}"


def sheet_codes(sheet_rows: list[Row]) -> list[str]:
    """Codes in column A, skipping titles, section headers and blank rows."""
    return [
        c for c in (line(r[0]) for r in sheet_rows if r and r[0] is not None) if CODE_RE.match(c)
    ]


def sections(sheet_rows: list[Row]) -> Iterator[tuple[str, list[Row]]]:
    """Split a sheet holding several annexes ('A3.2-A3.3-A3.4') at each 'Phụ lục' title."""
    current: tuple[str, list[Row]] | None = None
    for r in sheet_rows:
        title = line(r[0]) if r else ""
        found = re.match(r"Phụ lục (A3\.\d+)", title)
        if found:
            if current:
                yield current
            current = (title, [])
        elif current:
            current[1].append(r)
    if current:
        yield current


class Resolver:
    """Maps rule-sheet codes onto the main list.

    The rule sheets list leaf codes of an older, longer list. A listed category covers its
    subcodes; a listed 5-character site code (M8910 … M8919) covers the 4-character code the
    main list stops at, when that code has no subcodes; a category whose subcodes are all
    covered is covered too (O80 when O80.0 … O80.9 are female-only). Listed codes with none
    of these links (A91, N18.0, …) are dropped.
    """

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = set(codes)
        self.children: dict[str, set[str]] = {}
        for code in self.codes:
            parent = self.parent(code)
            if parent:
                self.children.setdefault(parent, set()).add(code)

    def parent(self, code: str) -> str | None:
        return next((code[:n] for n in range(len(code) - 1, 2, -1) if code[:n] in self.codes), None)

    def owner(self, code: str) -> str | None:
        if code in self.codes:
            return code
        parent = self.parent(code)
        return parent if parent and parent not in self.children else None

    def expand(self, listed: Iterable[str]) -> tuple[set[str], int]:
        listed = set(listed)
        result = {o for o in (self.owner(c) for c in listed) if o}
        result |= {c for c in self.codes if any(c[:n] in listed for n in range(3, len(c)))}
        for parent in sorted(self.children, key=len, reverse=True):
            if self.children[parent] <= result:
                result.add(parent)
        unused = [c for c in listed if not self.owner(c) and not result & self.under(c)]
        return result, len(unused)

    def under(self, prefix: str) -> set[str]:
        return {c for c in self.codes if c.startswith(prefix)}


def icd_rules(sheets: dict[str, list[Row]], resolver: Resolver) -> dict[str, Any]:
    out: dict[str, Any] = {"age": {}, "sex": {}, "drg_mdc": {}}
    for title, sheet_rows in sheets.items():
        sheet_id = title.split()[0]
        if sheet_id == "A1":
            out["pairs"] = icd_pairs(sheet_rows, resolver)
        elif sheet_id in ("E", "E1"):
            icd_mdc(sheet_rows, resolver, out["drg_mdc"])
        elif sheet_id == "A2":
            out["not_principal"] = report(title, sheet_codes(sheet_rows), resolver)
        elif sheet_id in SEX_SHEETS:
            out["sex"][SEX_SHEETS[sheet_id]] = report(title, sheet_codes(sheet_rows), resolver)
        else:
            for heading, part in sections(sheet_rows):
                out["age"].update(icd_age(heading, part, resolver))
    assert sorted(out["age"]) == sorted(AGE_RULES), sorted(out["age"])
    return out


def report(title: str, listed: list[str], resolver: Resolver) -> list[str]:
    codes, dropped = resolver.expand(listed)
    print(f"  {title.strip()}: {len(listed)} listed -> {len(codes)} codes, {dropped} dropped")
    return sorted(codes)


def icd_age(heading: str, part: list[Row], resolver: Resolver) -> dict[str, Any]:
    rule = re.match(r"Phụ lục (A3\.\d+)", heading)
    assert rule, heading
    phrase, low, high, label_en = AGE_RULES[rule.group(1)]
    assert phrase in heading, f"age limit changed? {heading!r} lacks {phrase!r}"
    codes = report(heading, sheet_codes(part), resolver)
    entry = {"title": heading, "min_days": low, "max_days": high, "codes": codes}
    return {rule.group(1): entry | {"label_vi": phrase, "label_en": label_en}}


def icd_pairs(sheet_rows: list[Row], resolver: Resolver) -> list[list[str]]:
    pairs: set[tuple[str, str, str]] = set()
    listed = [r for r in sheet_rows[3:] if r and CODE_RE.match(line(r[0]))]
    # icd10.py documents that the annex always picks the asterisk code as principal.
    assert all(line(r[4]) == line(r[2]) for r in listed), "A1 principal is not the asterisk"
    for r in listed:
        dagger, asterisk, principal = (resolver.owner(line(v)) for v in (r[0], r[2], r[4]))
        if dagger and asterisk and principal:
            pairs.add((dagger, asterisk, principal))
    print(f"  A1: {len(listed)} pairs listed -> {len(pairs)} pairs of known codes")
    return [list(p) for p in sorted(pairs)]


def icd_mdc(sheet_rows: list[Row], resolver: Resolver, out: dict[str, list[str]]) -> None:
    for r in sheet_rows[3:]:
        code = resolver.owner(line(r[0])) if r and r[0] else None
        if code and r[3] is not None:
            values = set(out.get(code, [])) | {line(r[3])}
            out[code] = sorted(values, key=lambda v: (len(v), v))


def build_icd(source: Path) -> None:
    print("ICD-10 (QĐ 4469):")
    sheets = rows(source / "icd10-qd4469.xlsx")
    codes, chapters, groups = icd_main(sheets.pop("ICD10"))
    print(f"  ICD10: {EXPECTED_ICD_ROWS:,} rows -> {len(codes):,} distinct codes")
    payload = {"codes": codes, "chapters": chapters, "groups": groups}
    payload |= icd_rules(sheets, Resolver(c[0] for c in codes))
    write(REFERENCE_DATA / "icd10.json.gz", payload, compress=True)


# --- QĐ 130/4750 tables ---------------------------------------------------------------


def table_number(sheet_title: str) -> int:
    if "check-in" in sheet_title.lower():
        return 0
    found = re.search(r"bang\s*(\d+)", sheet_title, re.IGNORECASE)
    assert found, sheet_title
    return int(found.group(1))


def header_index(sheet_rows: list[Row]) -> tuple[int, dict[str, int]]:
    """Header row (the one naming 'Chỉ tiêu') and its column positions by label."""
    for i, r in enumerate(sheet_rows):
        labels = [line(v) for v in r]
        if len(labels) > 1 and labels[1] == "Chỉ tiêu":
            return i, {label: j for j, label in enumerate(labels) if label}
    raise AssertionError("no header row")


def cell(r: Row, column: int | None) -> object:
    return r[column] if column is not None and column < len(r) else None


def spec_field(r: Row, cols: dict[str, int]) -> dict[str, Any]:
    note_col = next((j for label, j in cols.items() if label.startswith("Đính chính")), None)
    note = text(cell(r, note_col))
    type_130, size_130 = TYPES[line(r[2]).lower()], None if line(r[3]) == "n" else int(line(r[3]))
    type_fix = TYPE_FIX_RE.search(note or "")
    size_fix = SIZE_FIX_RE.search(note or "")
    return {
        "name": line(r[1]),
        "stt": r[0] if isinstance(r[0], int) else None,
        "type_qd130": type_130,
        "type": TYPES[type_fix.group(1).lower()] if type_fix else type_130,
        "size_qd130": size_130,
        "max_size": int(size_fix.group(1)) if size_fix else size_130,
        "description": text(r[4]),
        "note_4750": note,
    }


def annex_table(title: str, sheet_rows: list[Row]) -> dict[str, Any]:
    start, cols = header_index(sheet_rows)
    fields, notes = [], []
    for r in sheet_rows[start + 1 :]:
        if r and FIELD_RE.match(line(r[1])):
            fields.append(spec_field(r, cols))
        elif r and text(r[1]):
            notes.append(text(r[1]))
    number = table_number(title)
    # Pad to root/list/record; "…" (elided in STANDARDS) and "" (no XML) become None.
    parts = [p or None for p in XML_LAYOUT[number].replace("…", "").split("/")] + [None] * 2
    root, list_name, record = parts[:3]
    known = root is not None and "…" not in XML_LAYOUT[number]
    return {
        "id": f"XML{number}",
        "number": number,
        "sheet": title,
        "title": line(str(sheet_rows[0][0]).split("\n")[0]),
        "notes": "\n".join(n for n in notes if n) or None,
        "xml_root": root,
        "xml_list": list_name,
        "xml_record": record,
        "xml_layout_known": known,
        "sent_by_his": number not in PORTAL_ONLY_TABLES,
        "fields": fields,
    }


def rule_flags(path: Path) -> dict[int, dict[str, tuple[str | None, str | None]]]:
    """Per table, field name -> ('Bắt buộc' text, 'VALID' text) from the rules workbook."""
    result: dict[int, dict[str, tuple[str | None, str | None]]] = {}
    for title, sheet_rows in rows(path).items():
        start, cols = header_index(sheet_rows)
        flags: dict[str, tuple[str | None, str | None]] = {}
        for r in sheet_rows[start + 1 :]:
            name = line(r[1]) if r and len(r) > 1 else ""
            if FIELD_RE.match(name):
                assert name not in flags, f"{title}: {name} twice"
                required = text(cell(r, cols.get("Bắt buộc")))
                flags[name] = (required, text(cell(r, cols.get("VALID"))))
        result[table_number(title)] = flags
    return result


# Fields the rules workbook (a vendor's reading) marks "x" but the annex's own text makes
# optional or conditional: required there, valid portal files would be refused. Table →
# field → the annex's words, or for XML15 (whose descriptions state no condition) our
# reading, marked so. Conditions the validator can tell are in claims/field_rules.py
# (CONDITIONAL_REQUIRED).
ANNEX_OPTIONAL: dict[int, dict[str, str]] = {
    3: {
        "MA_BENH": "Ghi mã ICD10 của bệnh cần chỉ định DVKT bổ sung so với mã bệnh chính (nếu có)",
        "NGAY_YL": "Trường này không bắt buộc trong trường hợp thực hiện chuyển gửi xét "
        "nghiệm cận lâm sàng",
    },
    4: {"TEN_CHI_SO": "Trường hợp chưa có tên chỉ số thì để trống trường thông tin này"},
    6: {
        "NGAY_CHUYEN_PHAC_DO": "Ghi ngày chuyển phác đồ điều trị (khi có chuyển phác đồ)",
        "LY_DO_CHUYEN_PHAC_DO": "Ghi lý do chuyển phác đồ (khi có chuyển phác đồ)",
    },
    9: {"GHI_CHU": "Trường hợp sinh con phải phẫu thuật hoặc sinh con dưới 32 tuần tuổi"},
    12: {
        "DANG_HUONG_CHE_DO": "để trống nếu không thuộc một trong các chế độ",
        "TONG_TYLE_TTCT": "chỉ ghi trong trường hợp khám giám định tổng hợp",
    },
    15: {
        "BDDT_ARV": "(cách đọc của Y Tế Số) khi người bệnh Lao/HIV(+) đã điều trị ARV",
        "NGAY_BAT_DAU_DT_CTX": "(cách đọc của Y Tế Số) khi người bệnh Lao/HIV(+) đã dùng CTX",
        "NGAYBD_DTRI_LAO": "(cách đọc của Y Tế Số) khi có điều trị lao (LOAI_DTRI_LAO khác 0)",
        "PHACDO_DTRI_LAO": "(cách đọc của Y Tế Số) khi có điều trị lao (LOAI_DTRI_LAO khác 0)",
    },
}
# Types the annex's tables 13-15 (no QĐ 4750 correction column) left as in QĐ 130 while
# every other table's field of that name became a string: SO_CCCD holds passports too.
ANNEX_STRING = {15: ("SO_CCCD",)}


def merge_rules(table: dict[str, Any], flags: dict[str, tuple[str | None, str | None]]) -> None:
    """Required = 'x' exactly; other text there is a condition, kept as required_note."""
    names = {f["name"] for f in table["fields"]}
    optional = ANNEX_OPTIONAL.get(table["number"], {})
    for field in table["fields"]:
        raw, valid = flags.get(field["name"], (None, None))
        known = field["name"] in flags
        field["required"] = (raw is not None and raw.lower() == "x") if known else None
        field["required_note"] = raw if raw and raw.lower() != "x" else None
        if field["name"] in optional:
            field["required"], field["required_note"] = False, optional[field["name"]]
        if field["name"] in ANNEX_STRING.get(table["number"], ()):
            field["type"] = "string"
        field["valid"] = valid
    missing = sorted(names - set(flags))
    extra = sorted(set(flags) - names)
    if missing or extra:
        print(f"  {table['id']}: no rule row for {missing}; rule rows not in annex {extra}")


def build_specs(source: Path) -> None:
    print("QĐ 130/4750 tables:")
    flags = rule_flags(source / "qd4750-validation-rules.xlsx")
    tables = [annex_table(t, r) for t, r in rows(source / "qd4750-annex.xlsx").items()]
    tables.sort(key=lambda t: t["number"])
    assert [t["number"] for t in tables] == list(range(16)), [t["id"] for t in tables]
    for table in tables:
        merge_rules(table, flags.get(table["number"], {}))
        required = sum(1 for f in table["fields"] if f["required"])
        unmatched = sum(1 for f in table["fields"] if f["required"] is None)
        print(
            f"  {table['id']}: {len(table['fields'])} fields, {required} required,"
            f" {unmatched} without a rules row"
        )
    write(REFERENCE_DATA / "qd130_tables.json", {"tables": tables}, compress=False)


def copy_names(source: Path) -> None:
    print("Given names:")
    for name in NAME_FILES:
        # The sources are read-only; replacing (not overwriting) keeps reruns working when
        # an earlier copy kept that mode.
        (SYNTH_DATA / name).unlink(missing_ok=True)
        shutil.copyfile(source / name, SYNTH_DATA / name)
        print(f"  copied {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared/reference")
    source = parser.parse_args().source.resolve()
    REFERENCE_DATA.mkdir(parents=True, exist_ok=True)
    build_icd(source)
    build_specs(source)
    copy_names(source)


if __name__ == "__main__":
    main()
