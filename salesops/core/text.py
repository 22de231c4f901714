"""Text keys for searching: a Chinese name is also found by its pinyin and pinyin initials
(e.g. 华联超市 by "hualian" or "hlcs")."""

from pypinyin import Style, lazy_pinyin


def search_key(*parts: str) -> str:
    text = " ".join(part for part in parts if part)
    syllables = lazy_pinyin(text, errors="ignore")
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore"))
    return " ".join([text.lower(), "".join(syllables).lower(), initials.lower()])[:400]
