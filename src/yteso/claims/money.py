"""Money rules of QĐ 130/4750, in Decimal, rounded to 2 decimals half-up as the annex says.

Per XML2/XML3 line: THANH_TIEN_BV, THANH_TIEN_BH, T_NGUONKHAC (sum of its four sources)
and the split into T_BHTT / T_BNCCT / T_BNTT following the annex's steps for other funding
(sheet "Bang 3", fields T_BNTT, T_BNCCT, T_BHTT, case a: support for the patient, taken off
T_BNTT, then T_BNCCT, then T_BHTT). Case b (support to the facility, taken off the cost
before the split) is accepted as an alternative when a line has other funding.
XML1 totals are the sums of the lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from yteso.claims import specs
from yteso.claims.envelope import Episode, Record
from yteso.claims.findings import Finding, Where

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
_OTHER_SOURCES = ("T_NGUONKHAC_NSNN", "T_NGUONKHAC_VTNN", "T_NGUONKHAC_VTTN", "T_NGUONKHAC_CL")
_SPLIT = ("T_BHTT", "T_BNCCT", "T_BNTT")
# QĐ 5937 appendix 3 cost groups (MA_NHOM) of medical supplies, counted in XML1 T_VTYT.
SUPPLY_GROUPS = frozenset({"10", "11"})
LINE_TABLES = ("XML2", "XML3")


def cents(value: Decimal) -> Decimal:
    # rounding given by position: as a keyword, the C decimal's argument parsing takes three
    # times as long as the rounding itself, and money checks round several times per line
    return value.quantize(CENT, ROUND_HALF_UP)


def amount(record: Record, name: str) -> Decimal | None:
    """The field as Decimal; empty counts as 0, unreadable as None (TYPE already reported)."""
    try:
        return _decimal(record.get(name, ""))
    except InvalidOperation:
        return None


def split(
    total_bv: Decimal, total_bh: Decimal, rate: Decimal, other: Decimal
) -> dict[str, Decimal]:
    """Case a of the annex: provisional split, then other funding off T_BNTT, T_BNCCT, T_BHTT.
    The steps hold "với điều kiện 0 < T_NGUONKHAC < THANH_TIEN_BV"; other funding equal to the
    cost leaves nothing to pay, and more than the cost is a finding of its own."""
    bhtt = cents(total_bh * rate / HUNDRED)
    bncct = total_bh - bhtt
    bntt = total_bv - total_bh
    if other <= 0:
        return {"T_BHTT": bhtt, "T_BNCCT": bncct, "T_BNTT": bntt}
    if other > bncct + bntt:
        bhtt -= other - bncct - bntt
    if other > bntt:
        bncct = bncct - (other - bntt) if bncct > other - bntt else ZERO
    bntt = bntt - other if other < bntt else ZERO
    return {"T_BHTT": bhtt, "T_BNCCT": bncct, "T_BNTT": bntt}


def _facility_support(
    total_bv: Decimal, total_bh: Decimal, rate: Decimal, other: Decimal, bh_rate: Decimal
) -> dict[str, Decimal] | None:
    """Case b: the support comes off the cost first; None when the line's BH does not fit."""
    remaining = total_bv - other
    if cents(remaining * bh_rate / HUNDRED) != total_bh:
        return None
    bhtt = cents(total_bh * rate / HUNDRED)
    return {"T_BHTT": bhtt, "T_BNCCT": total_bh - bhtt, "T_BNTT": remaining - total_bh}


# Amount texts repeat a lot ("0", "100", prices): converting each once saves a third of the
# money checks' time at the goal rate. Bounded: cleared when full.
_decimals: dict[str, Decimal] = {}
_DECIMALS_KEPT = 100_000


def _decimal(text: str) -> Decimal:
    value = _decimals.get(text)
    if value is None:
        if len(_decimals) >= _DECIMALS_KEPT:
            _decimals.clear()
        value = Decimal(text or 0)
        if not value.is_finite():  # "NaN", "Infinity": TYPE reports them, money skips them
            raise InvalidOperation(text)
        _decimals[text] = value
    return value


def _values(record: Record, names: tuple[str, ...]) -> dict[str, Decimal] | None:
    get, converted = record.get, _decimals
    try:  # usually every text was converted before: no call per amount
        return {name: converted[get(name, "")] for name in names}
    except KeyError:
        pass
    try:
        return {name: _decimal(get(name, "")) for name in names}
    except InvalidOperation:
        return None


_XML2 = (
    "SO_LUONG",
    "DON_GIA",
    "TYLE_TT_BH",
    "THANH_TIEN_BV",
    "THANH_TIEN_BH",
    "MUC_HUONG",
    "T_NGUONKHAC",
    *_OTHER_SOURCES,
    *_SPLIT,
)
_XML3 = (
    "SO_LUONG",
    "DON_GIA_BV",
    "DON_GIA_BH",
    "TYLE_TT_DV",
    "TYLE_TT_BH",
    "THANH_TIEN_BV",
    "THANH_TIEN_BH",
    "MUC_HUONG",
    "T_TRANTT",
    "T_NGUONKHAC",
    *_OTHER_SOURCES,
    *_SPLIT,
)


ExpectedTotals = tuple[Decimal, frozenset[Decimal]]  # THANH_TIEN_BV, accepted THANH_TIEN_BH
# Formula results by their inputs: the same drug or service at the same quantity, price and
# rates comes back on many lines. Equal inputs give equal results, except that a zero's
# sign follows the inputs' signs (0 == -0), so zero results are not kept. Bounded.
_formulas: dict[tuple[str | Decimal, ...], ExpectedTotals] = {}
_FORMULAS_KEPT = 50_000


def _expected_totals(table: str, v: dict[str, Decimal]) -> ExpectedTotals:
    """THANH_TIEN_BV and the accepted THANH_TIEN_BH values of one line."""
    key: tuple[str | Decimal, ...] = (
        (table, v["SO_LUONG"], v["DON_GIA"], v["TYLE_TT_BH"])
        if table == "XML2"
        else (
            table,
            v["SO_LUONG"],
            v["DON_GIA_BV"],
            v["DON_GIA_BH"],
            v["TYLE_TT_DV"],
            v["TYLE_TT_BH"],
        )
    )
    found = _formulas.get(key)
    if found is None:
        found = _formula_totals(table, v)
        if found[0] and all(found[1]):
            if len(_formulas) >= _FORMULAS_KEPT:
                _formulas.clear()
            _formulas[key] = found
    if table == "XML3" and v["T_TRANTT"] > 0:
        bv, accepted = found
        return bv, accepted | {min(a, v["T_TRANTT"]) for a in accepted}
    return found


def _formula_totals(table: str, v: dict[str, Decimal]) -> ExpectedTotals:
    if table == "XML2":
        exact = v["SO_LUONG"] * v["DON_GIA"]
        return cents(exact), frozenset({cents(exact * v["TYLE_TT_BH"] / HUNDRED)})
    bv = cents(v["SO_LUONG"] * v["DON_GIA_BV"] * v["TYLE_TT_DV"] / HUNDRED)
    plain = v["SO_LUONG"] * v["DON_GIA_BH"] * v["TYLE_TT_BH"] / HUNDRED
    return bv, frozenset({cents(plain), cents(plain * v["TYLE_TT_DV"] / HUNDRED)})


def line_values(table: str, record: Record) -> dict[str, Decimal] | None:
    """The line's amounts as Decimal (empty = 0); None if one is unreadable (TYPE reported)."""
    return _values(record, _XML2 if table == "XML2" else _XML3)


def _plain_line_ok(v: dict[str, Decimal], bv: Decimal, accepted_bh: frozenset[Decimal]) -> bool:
    """The common case, checked without building the detailed report: no other funding
    and every amount as the formulas give it."""
    total_bv, total_bh = v["THANH_TIEN_BV"], v["THANH_TIEN_BH"]
    bhtt = cents(total_bh * v["MUC_HUONG"] / HUNDRED)
    return (
        total_bv == bv
        and total_bh in accepted_bh
        and v["T_BHTT"] == bhtt
        and v["T_BNCCT"] == total_bh - bhtt
        and v["T_BNTT"] == total_bv - total_bh
    )


def check_line(table: str, v: dict[str, Decimal], where: Where) -> list[Finding]:
    found: list[Finding] = []
    bv, accepted_bh = _expected_totals(table, v)
    no_other = not (
        v["T_NGUONKHAC"]
        or v["T_NGUONKHAC_NSNN"]
        or v["T_NGUONKHAC_VTNN"]
        or v["T_NGUONKHAC_VTTN"]
        or v["T_NGUONKHAC_CL"]
    )
    if no_other and _plain_line_ok(v, bv, accepted_bh):
        return found
    other = (
        v["T_NGUONKHAC_NSNN"] + v["T_NGUONKHAC_VTNN"] + v["T_NGUONKHAC_VTTN"] + v["T_NGUONKHAC_CL"]
    )
    if other != v["T_NGUONKHAC"]:
        found.append(_mismatch(where, "T_NGUONKHAC", v["T_NGUONKHAC"], other))
    total_bv = v["THANH_TIEN_BV"]
    if total_bv != bv:
        found.append(_mismatch(where, "THANH_TIEN_BV", total_bv, bv))
        total_bv = bv  # the amounts below are then checked against the right cost
    if v["T_NGUONKHAC"] > max(total_bv, ZERO):
        found.append(_other_above_cost(where, v["T_NGUONKHAC"], total_bv))
        return found
    return found + _split_findings(v, total_bv, accepted_bh, other > 0, where)


def _split_findings(
    v: dict[str, Decimal],
    total_bv: Decimal,
    accepted_bh: frozenset[Decimal],
    other_funding: bool,
    where: Where,
) -> list[Finding]:
    """THANH_TIEN_BH and the split: case b (support to the facility, which also lowers
    THANH_TIEN_BH) when it fits, else the formula's THANH_TIEN_BH and case a."""
    rate, total_bh = v["MUC_HUONG"], v["THANH_TIEN_BH"]
    if other_funding:
        case_b = _facility_support(total_bv, total_bh, rate, v["T_NGUONKHAC"], v["TYLE_TT_BH"])
        if case_b is not None and all(v[n] == case_b[n] for n in _SPLIT):
            return []
    found = []
    if total_bh not in accepted_bh:
        found.append(_mismatch(where, "THANH_TIEN_BH", total_bh, min(accepted_bh)))
        total_bh = min(accepted_bh)
    case_a = split(total_bv, total_bh, rate, v["T_NGUONKHAC"])
    return found + [_mismatch(where, n, v[n], case_a[n]) for n in _SPLIT if v[n] != case_a[n]]


def _other_above_cost(where: Where, other: Decimal, cost: Decimal) -> Finding:
    return where.finding(
        "MONEY_LINE",
        f"T_NGUONKHAC = {other} lớn hơn chi phí của dòng THANH_TIEN_BV = {cost}: nguồn khác "
        "chỉ chi trả trong phạm vi chi phí.",
        f"T_NGUONKHAC = {other} is more than the line's cost THANH_TIEN_BV = {cost}: other "
        "funding pays within the cost only.",
        field="T_NGUONKHAC",
    )


def _mismatch(where: Where, name: str, given: Decimal, expected: Decimal) -> Finding:
    return where.finding(
        "MONEY_LINE",
        f"{name} = {given} nhưng theo công thức của phụ lục phải là {expected}.",
        f"{name} = {given} but the annex formula gives {expected}.",
        field=name,
    )


# XML1 total -> the line amount it sums; T_THUOC, T_VTYT and T_BHTT_GDV sum some lines only
_TOTALS = {
    "T_TONGCHI_BV": "THANH_TIEN_BV",
    "T_TONGCHI_BH": "THANH_TIEN_BH",
    "T_BNTT": "T_BNTT",
    "T_BNCCT": "T_BNCCT",
    "T_BHTT": "T_BHTT",
    "T_NGUONKHAC": "T_NGUONKHAC",
}
_PARTIAL = {"T_THUOC": "THANH_TIEN_BV", "T_VTYT": "THANH_TIEN_BV", "T_BHTT_GDV": "T_BHTT"}
Line = tuple[str, Record, dict[str, Decimal]]


def _sums(lines: list[Line]) -> dict[str, Decimal]:
    sums = dict.fromkeys((*_TOTALS, *_PARTIAL), ZERO)
    for table, record, v in lines:
        for total_name, line_name in _TOTALS.items():
            sums[total_name] += v[line_name]
        if table == "XML2":
            sums["T_THUOC"] += v["THANH_TIEN_BV"]
        elif record.get("MA_NHOM") in SUPPLY_GROUPS:
            sums["T_VTYT"] += v["THANH_TIEN_BV"]
        if record.get("MA_PTTT") == "1":  # paid per service: outside capitation and DRG
            sums["T_BHTT_GDV"] += v["T_BHTT"]
    return sums


def check_totals(lines: list[Line], summary: Record, where: Where) -> list[Finding]:
    """XML1 totals against the sums of the lines (lines already read by `line_values`)."""
    found: list[Finding] = []
    for total_name, expected in _sums(lines).items():
        given = amount(summary, total_name)
        if given is not None and given != expected:
            line_name = _TOTALS.get(total_name) or _PARTIAL[total_name]
            found.append(
                where.finding(
                    "MONEY_TOTAL",
                    f"{total_name} = {given} nhưng tổng {line_name} các dòng XML2/XML3 "
                    f"là {expected}.",
                    f"{total_name} = {given} but the lines' {line_name} add up to {expected}.",
                    field=total_name,
                )
            )
    return found + _bhtt_rule(summary, where)


def check_money(episode: Episode, summary: Record | None, where: Where) -> list[Finding]:
    """Every XML2/XML3 line, then the XML1 totals (skipped if a line is unreadable, or a
    document that may hold lines could not be read: its finding says why)."""
    found: list[Finding] = []
    lines: list[Line] = []
    readable = not any(t in LINE_TABLES or not specs.is_known(t) for t in episode.unread)
    for table in LINE_TABLES:
        for record in episode.records(table):
            values = line_values(table, record)
            if values is None:
                readable = False
                continue
            line = Where(where.file, where.ma_lk, table, record.get("STT"))
            found += check_line(table, values, line)
            lines.append((table, record, values))
    if summary is not None and readable:
        found += check_totals(lines, summary, where)
    return found


def _bhtt_rule(summary: Record, where: Where) -> list[Finding]:
    """T_BHTT = T_TONGCHI_BH − T_BNCCT; with other funding the annex's steps may take some
    of it off T_BHTT, so the identity is checked only without other funding."""
    values = _values(summary, ("T_BHTT", "T_TONGCHI_BH", "T_BNCCT", "T_NGUONKHAC"))
    if values is None or values["T_NGUONKHAC"] != 0:
        return []
    expected = values["T_TONGCHI_BH"] - values["T_BNCCT"]
    if values["T_BHTT"] == expected:
        return []
    return [
        where.finding(
            "MONEY_TOTAL",
            f"T_BHTT = {values['T_BHTT']} nhưng T_TONGCHI_BH − T_BNCCT = {expected}.",
            f"T_BHTT = {values['T_BHTT']} but T_TONGCHI_BH − T_BNCCT = {expected}.",
            field="T_BHTT",
        )
    ]
