"""Who lives in the province: age, sex and ethnicity shares for synthetic people."""

from __future__ import annotations

from dataclasses import dataclass

from yteso.synth.sampling import WeightedChoice


@dataclass(frozen=True, slots=True)
class AgeBand:
    first_age: int  # completed years
    width: int  # years
    share: float  # percent of the population
    male_share: float  # probability that someone in the band is male


# 2019 Population and Housing Census, national 5-year age shares (percent). The census stops
# at "80+" (1.9 %); it is spread over 80-104 here, thinning out with age, so that some
# people reach 100. Male shares: about 52.5 % boys at young ages (sex ratio at birth ~111)
# falling to about a third of people over 80 (women live longer); these are rounded
# estimates in line with the census, not its exact figures.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand(0, 5, 8.0, 0.527), AgeBand(5, 5, 8.6, 0.525), AgeBand(10, 5, 7.6, 0.521),
    AgeBand(15, 5, 6.9, 0.515), AgeBand(20, 5, 6.9, 0.510), AgeBand(25, 5, 8.0, 0.505),
    AgeBand(30, 5, 8.2, 0.502), AgeBand(35, 5, 7.7, 0.500), AgeBand(40, 5, 7.3, 0.500),
    AgeBand(45, 5, 6.6, 0.498), AgeBand(50, 5, 6.0, 0.490), AgeBand(55, 5, 5.4, 0.480),
    AgeBand(60, 5, 4.4, 0.470), AgeBand(65, 5, 3.2, 0.450), AgeBand(70, 5, 1.9, 0.430),
    AgeBand(75, 5, 1.2, 0.400), AgeBand(80, 5, 0.95, 0.370), AgeBand(85, 5, 0.6, 0.340),
    AgeBand(90, 5, 0.27, 0.300), AgeBand(95, 5, 0.07, 0.270), AgeBand(100, 5, 0.01, 0.250),
)  # fmt: skip

AGE_BAND_CHOICE = WeightedChoice((band, band.share) for band in AGE_BANDS)

# MA_DANTOC codes (Quyết định 121-TCTK/PPCĐ list, the same codes as the VN Core IG
# "vn-core-race" CodeSystem) of the groups living in Thái Nguyên and former Bắc Kạn.
KINH = "01"
ETHNICITY_NAMES: dict[str, str] = {
    KINH: "Kinh", "02": "Tày", "04": "Hoa", "06": "Mường", "07": "Nùng", "08": "HMông",
    "09": "Dao", "15": "Sán Chay", "18": "Sán Dìu",
}  # fmt: skip

# Percent by ethnic group. Province totals follow the 2019 census (Thái Nguyên: Kinh about
# 70 %, then Tày, Nùng, Sán Dìu, Sán Chay, Dao, HMông; Bắc Kạn: Tày over half, then Dao,
# Kinh, Nùng, HMông). The split between urban wards (phường) and rural communes (xã) is an
# estimate: towns are mostly Kinh.
_ETHNIC_SHARES: dict[tuple[int, bool], tuple[tuple[str, float], ...]] = {
    (19, True): (
        (KINH, 92.0), ("02", 3.8), ("07", 2.0), ("18", 1.4), ("15", 0.3), ("09", 0.2),
        ("04", 0.2), ("06", 0.1),
    ),
    (19, False): (
        (KINH, 60.5), ("02", 15.5), ("07", 8.0), ("18", 6.5), ("15", 4.3), ("09", 3.3),
        ("08", 1.5), ("04", 0.1), ("06", 0.3),
    ),
    (6, True): (
        (KINH, 45.0), ("02", 40.0), ("07", 7.0), ("09", 6.0), ("04", 1.0), ("08", 1.0),
    ),
    (6, False): (
        (KINH, 8.0), ("02", 55.0), ("09", 19.0), ("07", 10.0), ("08", 7.5), ("04", 0.3),
        ("15", 0.2),
    ),
}  # fmt: skip


def ethnicity_choice(former_province_code: int | None, urban: bool) -> WeightedChoice[str]:
    """Ethnic mix of a commune; provinces without a table here are treated as all Kinh."""
    shares = _ETHNIC_SHARES.get((former_province_code or 0, urban), ((KINH, 1.0),))
    return WeightedChoice(shares)
