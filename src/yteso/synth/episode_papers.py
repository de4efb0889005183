"""The XML1 summary of a synthetic episode and its papers: discharge (XML7), record summary
(XML8), referral (XML13) and follow-up (XML14)."""

from __future__ import annotations

from datetime import date, timedelta

from yteso.claims import ClaimDocument, Record
from yteso.synth.episode_catalogue import DOCTOR, YEAR
from yteso.synth.episode_lines import Visit, ordered, stamp

_KCB_TYPE = {"outpatient": "01", "inpatient": "03", "emergency": "03"}


def _patient_fields(visit: Visit) -> dict[str, str]:
    """The administrative part of XML1: who the patient is and their BHYT card."""
    p = visit.person
    return {
        "MA_BN": p.cccd,
        "HO_TEN": p.full_name,
        "SO_CCCD": p.cccd,
        "NGAY_SINH": p.birth_date.strftime("%Y%m%d") + "0000",
        "GIOI_TINH": str(p.sex),
        "MA_QUOCTICH": "000",
        "MA_DANTOC": p.ethnicity_code,
        "MA_NGHE_NGHIEP": "00000",
        "DIA_CHI": p.address_line,
        "MATINH_CU_TRU": "19",
        "MAHUYEN_CU_TRU": "000",
        "MAXA_CU_TRU": p.commune_code,
        "DIEN_THOAI": p.phone or "",
        "MA_THE_BHYT": p.bhyt or "",
        "MA_DKBD": visit.facility.code if p.bhyt else "",
        "GT_THE_TU": f"{YEAR}0101" if p.bhyt else "",
        "GT_THE_DEN": f"{YEAR}1231" if p.bhyt else "",
    }


def summary_record(
    visit: Visit, kind: str, exit_code: str, follow_up: date | None, totals: dict[str, str]
) -> Record:
    start, end = visit.start, visit.end
    kcb = _KCB_TYPE[kind]
    return ordered(
        "XML1",
        {
            "MA_LK": visit.ma_lk,
            "STT": "1",
            **_patient_fields(visit),
            "LY_DO_VV": "Cấp cứu" if kind == "emergency" else "Khám bệnh",
            "CHAN_DOAN_VAO": visit.diagnosis.name,
            "CHAN_DOAN_RV": visit.diagnosis.name,
            "MA_BENH_CHINH": visit.diagnosis.code,
            "MA_DOITUONG_KCB": "2" if kind == "emergency" else "1",
            "MA_NOI_DEN": "19001" if exit_code == "2" else "",
            "NGAY_VAO": stamp(start),
            "NGAY_VAO_NOI_TRU": stamp(start + timedelta(minutes=30)) if kcb == "03" else "",
            "LY_DO_VNT": visit.diagnosis.name if kcb == "03" else "",
            "NGAY_RA": stamp(end),
            "SO_NGAY_DTRI": "0" if kcb == "01" else str((end.date() - start.date()).days + 1),
            "KET_QUA_DTRI": "2" if exit_code == "2" else "1",
            "MA_LOAI_RV": exit_code,
            "NGAY_TTOAN": stamp(end + timedelta(minutes=20)),
            **totals,
            "NAM_QT": str(end.year),
            "THANG_QT": str(end.month),
            "MA_LOAI_KCB": kcb,
            "MA_KHOA": visit.department,
            "MA_CSKCB": visit.facility.code,
            "CAN_NANG": "55.00",
            "NGAY_TAI_KHAM": follow_up.strftime("%Y%m%d") if follow_up else "",
            "MA_HSBA": visit.ma_lk,
            "MA_TTDV": "0012345678",
        },
    )


def _common(summary: Record) -> dict[str, str]:
    return {k: summary[k] for k in ("MA_LK", "NGAY_VAO", "NGAY_RA", "CHAN_DOAN_RV", "MA_TTDV")}


def _inpatient_papers(visit: Visit, summary: Record, signed: str) -> list[ClaimDocument]:
    """Discharge paper (XML7) and medical record summary (XML8)."""
    discharge = ordered(
        "XML7",
        {
            **_common(summary),
            "SO_LUU_TRU": f"LT{visit.ma_lk}",
            "MA_YTE": summary["MA_BN"],
            "MA_KHOA_RV": visit.department,
            "PP_DIEUTRI": "Điều trị nội khoa",
            "MA_BS": DOCTOR,
            "TEN_BS": "Bác sĩ Nguyễn Văn An",
            "NGAY_CT": signed,
        },
    )
    record_summary = ordered(
        "XML8",
        {
            **_common(summary),
            "MA_LOAI_KCB": "03",
            "CHAN_DOAN_VAO": summary["CHAN_DOAN_VAO"],
            "QT_BENHLY": "Bệnh khởi phát 3 ngày",
            "TOMTAT_KQ": "Xét nghiệm trong giới hạn",
            "PP_DIEUTRI": "Điều trị nội khoa",
            "KET_QUA_DTRI": summary["KET_QUA_DTRI"],
            "NGAY_CT": signed,
        },
    )
    return [ClaimDocument("XML7", [discharge]), ClaimDocument("XML8", [record_summary])]


def _referral(visit: Visit, summary: Record) -> ClaimDocument:
    """Transfer letter (XML13) to the provincial general hospital."""
    return ClaimDocument(
        "XML13",
        [
            ordered(
                "XML13",
                {
                    **_common(summary),
                    "SO_HOSO": visit.ma_lk,
                    "SO_CHUYENTUYEN": f"CT{visit.ma_lk}",
                    "GIAY_CHUYEN_TUYEN": f"CT{visit.ma_lk}",
                    "MA_CSKCB": visit.facility.code,
                    "MA_NOI_DI": visit.facility.code,
                    "MA_NOI_DEN": "19001",
                    "HO_TEN": summary["HO_TEN"],
                    "NGAY_SINH": summary["NGAY_SINH"],
                    "GIOI_TINH": summary["GIOI_TINH"],
                    "DAU_HIEU_LS": "Sốt cao, mệt",
                    "QT_BENHLY": "Bệnh diễn biến nặng",
                    "TOMTAT_KQ": "Theo dõi sát",
                    "MA_BENH_CHINH": summary["MA_BENH_CHINH"],
                    "TEN_DICH_VU": "Khám bệnh",
                    "MA_LOAI_RV": "2",
                    "MA_LYDO_CT": "1",
                    "HUONG_DIEU_TRI": "Chuyển tuyến trên",
                    "PHUONGTIEN_VC": "Xe cứu thương",
                    "MA_BAC_SI": DOCTOR,
                },
            )
        ],
    )


def _follow_up_paper(visit: Visit, summary: Record, follow_up: date, signed: str) -> ClaimDocument:
    return ClaimDocument(
        "XML14",
        [
            ordered(
                "XML14",
                {
                    **_common(summary),
                    "SO_GIAYHEN_KL": f"HK{visit.ma_lk}",
                    "MA_CSKCB": visit.facility.code,
                    "HO_TEN": summary["HO_TEN"],
                    "NGAY_HEN_KL": follow_up.strftime("%Y%m%d") + "0730",  # yyyymmddHHMM
                    "MA_BENH_CHINH": summary["MA_BENH_CHINH"],
                    "MA_BAC_SI": DOCTOR,
                    "NGAY_CT": signed,
                },
            )
        ],
    )


def paper_documents(visit: Visit, summary: Record, follow_up: date | None) -> list[ClaimDocument]:
    """XML7 and XML8 for inpatients, XML13 when transferred, XML14 when a follow-up is booked."""
    signed = visit.end.strftime("%Y%m%d")
    papers = _inpatient_papers(visit, summary, signed) if summary["MA_LOAI_KCB"] == "03" else []
    if summary["MA_LOAI_RV"] == "2":
        papers.append(_referral(visit, summary))
    if follow_up is not None:
        papers.append(_follow_up_paper(visit, summary, follow_up, signed))
    return papers
