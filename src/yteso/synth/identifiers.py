"""Identifiers of synthetic people: CCCD numbers, social insurance numbers, mobile numbers."""

from __future__ import annotations

import random

from yteso.synth.sampling import WeightedChoice


class UniqueSerials:
    """Random-looking numbers of a fixed width that never repeat.

    A counter is passed through an affine permutation of 0..10^digits - 1 (a multiplier
    coprime with 10^digits, a random offset), so uniqueness holds by construction without
    remembering the numbers already handed out.
    """

    __slots__ = ("_count", "_modulus", "_multiplier", "_offset")

    def __init__(self, rng: random.Random, digits: int) -> None:
        self._modulus: int = 10**digits
        # Ending in 1, 3, 7 or 9 makes the multiplier coprime with every power of ten.
        self._multiplier = 10 * rng.randrange(self._modulus // 10) + rng.choice((1, 3, 7, 9))
        self._offset = rng.randrange(self._modulus)
        self._count = 0

    def next(self) -> int:
        if self._count >= self._modulus:
            raise OverflowError(f"all {self._modulus} serial numbers are used")
        serial = (self._count * self._multiplier + self._offset) % self._modulus
        self._count += 1
        return serial


class CitizenIdAllocator:
    """Hands out 12-digit CCCD numbers (STANDARDS §2), each at most once.

    Only the last six digits are free, so each prefix (birth-registration province,
    century+sex digit, birth year) gets its own serials.
    """

    __slots__ = ("_rng", "_serials")

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._serials: dict[str, UniqueSerials] = {}

    def allocate(self, birth_province_code: int, sex: int, birth_year: int) -> str:
        if birth_year < 1900:
            raise ValueError("CCCD numbers have no century digit before 1900")
        # 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s; sex is 1 (male) or 2 (female).
        century_and_sex = 2 * ((birth_year - 1900) // 100) + sex - 1
        prefix = f"{birth_province_code:03d}{century_and_sex}{birth_year % 100:02d}"
        serials = self._serials.get(prefix)
        if serials is None:
            serials = self._serials[prefix] = UniqueSerials(self._rng, 6)
        return f"{prefix}{serials.next():06d}"


# Mobile prefixes by network with rough subscriber shares (Viettel about half of the market,
# then VinaPhone and MobiFone); every prefix of a network is equally likely.
_MOBILE_NETWORKS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (55.0, ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098")),
    (25.0, ("081", "082", "083", "084", "085", "088", "091", "094")),
    (20.0, ("070", "076", "077", "078", "079", "089", "090", "093")),
)
MOBILE_PREFIXES = tuple(prefix for _, prefixes in _MOBILE_NETWORKS for prefix in prefixes)
_MOBILE_PREFIX_CHOICE = WeightedChoice(
    (prefix, share / len(prefixes)) for share, prefixes in _MOBILE_NETWORKS for prefix in prefixes
)


def draw_mobile_number(rng: random.Random) -> str:
    """A 10-digit Vietnamese mobile number such as "0912345678"."""
    return f"{_MOBILE_PREFIX_CHOICE.draw(rng)}{int(rng.random() * 10_000_000):07d}"
