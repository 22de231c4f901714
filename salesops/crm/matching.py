"""Normalised identifiers for ownership protection (防撞单).

The same prospect arrives written many ways: "138 0013 8000", "+86-138-0013-8000",
"上海华联超市有限公司" vs "上海华联超市", full-width "ＡＢＣ" vs "abc". Each identifier is reduced to
one canonical key; a customer owns its keys in `OwnershipKey` (unique), so a lookup is an
index hit and a double registration is a constraint violation.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

# Longest first: "股份有限公司" must go before "有限公司".
NAME_SUFFIXES = [
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "公司",
    "companylimited",
    "corporation",
    "coltd",
    "limited",
    "corp",
    "ltd",
    "inc",
    "llc",
    "co",
]
_PUNCTUATION = re.compile(r"[\s\.,;:'\"()\[\]{}<>&\-_/\\·・、，。（）【】《》“”‘’]+")


def normalize_phone(raw: str | None) -> str | None:
    """E.164 of a mainland or international number ("+8613800138000"), or None when invalid."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    digits = re.sub(r"[^\d+]", "", text)
    if not digits:
        return None
    if digits.startswith("0086"):
        digits = "+86" + digits[4:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return None
    return text


def normalize_company_name(raw: str | None) -> str | None:
    """Case, spaces, punctuation and full-width folded; legal-form suffixes removed."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).casefold()
    text = _PUNCTUATION.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in NAME_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text if len(text) >= 2 else None


def normalize_tax_id(raw: str | None) -> str | None:
    """The unified social credit code (统一社会信用代码) in compact form, or None when invalid."""
    if not raw:
        return None
    try:
        return uscc.validate(unicodedata.normalize("NFKC", str(raw)))
    except StdnumError:
        return None


def is_valid_tax_id(raw: str) -> bool:
    return normalize_tax_id(raw) is not None


def ownership_keys(
    *, name: str = "", kind: str = "company", phones=(), emails=(), tax_id: str = ""
) -> list[tuple[str, str]]:
    """The (kind, value) keys a prospect is known by. A person's name is not a key: two
    people called 王伟 are not the same customer."""
    keys: list[tuple[str, str]] = []
    for phone in phones:
        value = normalize_phone(phone)
        if value:
            keys.append(("phone", value))
    for email in emails:
        value = normalize_email(email)
        if value:
            keys.append(("email", value))
    if kind == "company":
        value = normalize_company_name(name)
        if value:
            keys.append(("name", value))
    value = normalize_tax_id(tax_id)
    if value:
        keys.append(("tax_id", value))
    return list(dict.fromkeys(keys))
