"""Vietnamese text keys: the same folding everywhere a person types without diacritics."""

from __future__ import annotations

import unicodedata

# đ/Đ is a separate letter, not a base letter plus a combining mark, so NFD leaves it alone.
# The Icelandic eth (Ð/ð) looks the same and turns up in data typed with old encodings.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def nfc(text: str) -> str:
    """Normalise to NFC and collapse runs of whitespace, as stored."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """Lower-case key without diacritics: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9: str.isdigit() also takes '²' and '١', on which int()
    fails or reads a number no Vietnamese format holds."""
    return text.isascii() and text.isdigit()


# For text fields of people and places: control characters (tab and line breaks included)
# have no place in a name, and XML cannot carry most of them (the check-in XML0).
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
