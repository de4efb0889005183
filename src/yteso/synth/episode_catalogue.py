"""What synthetic episodes are made of: diagnoses with their frequencies and seasons, drugs,
services and lab tests with prices (codes of QĐ 4469, QĐ 5937 and the Ministry's lists)."""

from __future__ import annotations

from dataclasses import dataclass

YEAR = 2025
DOCTOR = "001234/TN-CCHN"  # MA_BAC_SI: practising certificate number


@dataclass(frozen=True, slots=True)
class Diagnosis:
    code: str
    name: str
    weight: float
    kinds: str  # letters: o outpatient, i inpatient, e emergency
    min_age: int = 0
    max_age: int = 120
    female_only: bool = False
    season: tuple[int, ...] = ()  # months with a higher rate


_DENGUE = (7, 8, 9, 10, 11)
_HFMD = (3, 4, 5, 9, 10, 11)
DIAGNOSES = (
    Diagnosis("J06.9", "Nhiễm trùng đường hô hấp trên cấp", 30, "o"),
    Diagnosis("J02.9", "Viêm họng cấp", 10, "o"),
    Diagnosis("J20.9", "Viêm phế quản cấp", 8, "oi"),
    Diagnosis("I10", "Tăng huyết áp", 14, "o", min_age=35),
    Diagnosis("E11.9", "Đái tháo đường typ 2", 8, "oi", min_age=35),
    Diagnosis("K29.7", "Viêm dạ dày", 8, "o", min_age=12),
    Diagnosis("A09", "Tiêu chảy nhiễm trùng", 6, "oie"),
    Diagnosis("M54.5", "Đau cột sống thắt lưng", 5, "o", min_age=25),
    Diagnosis("J18.9", "Viêm phổi", 6, "ie"),
    Diagnosis("A97.0", "Sốt xuất huyết Dengue", 2, "oi", season=_DENGUE),
    Diagnosis("A97.1", "Sốt xuất huyết Dengue có dấu hiệu cảnh báo", 1, "ie", season=_DENGUE),
    Diagnosis("B08.4", "Bệnh tay chân miệng", 3, "oi", max_age=6, season=_HFMD),
    Diagnosis("O80", "Đẻ thường một thai", 3, "i", min_age=18, max_age=45, female_only=True),
    Diagnosis("S52.5", "Gãy đầu dưới xương quay", 3, "e"),
    Diagnosis("K35.8", "Viêm ruột thừa cấp", 2, "ie", min_age=5),
    Diagnosis("I63.9", "Nhồi máu não", 2, "ie", min_age=45),
)
# (MA_THUOC, TEN_THUOC, HAM_LUONG, DON_VI_TINH, DUONG_DUNG, DON_GIA, TYLE_TT_BH)
DRUGS = (
    ("40.17", "Paracetamol", "500mg", "Viên", "1.01", "350", 100),
    ("40.136", "Amoxicilin", "500mg", "Viên", "1.01", "1250.5", 100),
    ("40.1002", "Omeprazol", "20mg", "Viên", "1.01", "980", 100),
    ("40.484", "Amlodipin", "5mg", "Viên", "1.01", "420", 100),
    ("40.519", "Metformin", "850mg", "Viên", "1.01", "610", 100),
    ("40.1051", "Natri clorid 0,9%", "500ml", "Chai", "2.15", "9450", 100),
    ("40.156", "Cefuroxim", "750mg", "Lọ", "2.10", "28350", 100),
    ("40.62", "Vitamin C", "500mg", "Viên", "1.01", "215.75", 100),
    ("40.1017", "Oresol", "4,1g", "Gói", "1.01", "1680", 100),
    ("40.300", "Albumin", "20%/50ml", "Lọ", "2.15", "598000", 50),
)
# (MA_DICH_VU, TEN_DICH_VU, MA_NHOM, DON_VI_TINH, DON_GIA) — MA_NHOM of QĐ 5937 appendix 3
EXAM = ("02.1896", "Khám Nội", "13", "Lần", "38700")
BED = ("K03.1910", "Ngày giường bệnh Nội khoa", "15", "Ngày", "190100")
SUPPLY = ("N03.01.070", "Bơm tiêm nhựa 5ml", "10", "Cái", "850")
# paraclinical services with their lab indicators (MA_CHI_SO, TEN_CHI_SO, DON_VI_DO, range)
Lab = tuple[tuple[str, str, str, str, str], tuple[tuple[str, str, str, float, float], ...]]
LABS: tuple[Lab, ...] = (
    (
        ("22.0120.1370", "Tổng phân tích tế bào máu ngoại vi", "1", "Lần", "46200"),
        (
            ("WBC", "Số lượng bạch cầu", "G/L", 4.0, 12.0),
            ("PLT", "Số lượng tiểu cầu", "G/L", 40, 400),
            ("HCT", "Hematocrit", "%", 32, 50),
        ),
    ),
    (
        ("23.0075.1494", "Định lượng Glucose", "1", "Lần", "21500"),
        (("GLU", "Glucose", "mmol/L", 3.9, 12.0),),
    ),
    (
        ("24.0001.1714", "Dengue virus NS1Ag test nhanh", "1", "Lần", "129000"),
        (("NS1", "Dengue NS1", "", 0, 1),),
    ),
    (("18.0068.0028", "Chụp X-quang ngực thẳng", "2", "Lần", "65400"), ()),
)
