"""The catalogues follow the glossary (docs/glossary.md): a term translated without a context
never becomes a word the glossary's "not" column reserves for another meaning (Open → 待处理,
Receipt → 入库, Available → 可用额度 …). A msgid with a context is a meaning of its own and is
read against its own row by the person who adds it."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("salesops/*/locale/zh_Hans/LC_MESSAGES/django.po"))


def glossary_rules() -> list[tuple[str, set[str]]]:
    """(English term, the Chinese words it must not become) for each row that names them."""
    rules = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in {"area", "---"} or not cells[3]:
            continue
        forbidden = {re.sub(r"\s*\(.*\)", "", word).strip() for word in cells[3].split("/")}
        for term in re.sub(r"\s*\(.*?\)", "", cells[1]).split("/"):
            rules.append((term.strip(), {word for word in forbidden if word}))
    return rules


def test_the_glossary_names_terms_to_check():
    terms = dict(glossary_rules())
    assert terms["Receipt"] == {"入库"} and terms["Open"] == {"待处理"} and "部门" in terms["Unit"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_no_term_becomes_a_word_reserved_for_another_meaning(path):
    rules = glossary_rules()
    wrong = []
    for entry in polib.pofile(str(path)):
        if entry.msgctxt or entry.obsolete or not entry.msgstr:
            continue
        for term, forbidden in rules:
            if entry.msgid.strip().rstrip(":").lower() == term.lower() and entry.msgstr.strip() in forbidden:
                wrong.append(f"{entry.msgid!r} → {entry.msgstr!r} (glossary: not {', '.join(sorted(forbidden))})")
    assert not wrong, "\n".join(wrong)


# Django merges every area's catalogue into one, so a msgid without a context that two areas
# translate differently shows whichever area comes first, on every page. These still do (each
# needs a context where it means something else, as "Unit" and "Order" have); the list may
# only shrink.
KNOWN_SPLIT: set[str] = set()


def test_a_msgid_without_a_context_means_one_thing_in_every_area():
    translations: dict[str, dict[str, str]] = {}
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if not (entry.msgctxt or entry.obsolete or "fuzzy" in entry.flags) and entry.msgstr:
                translations.setdefault(entry.msgid, {})[path.parts[-5]] = entry.msgstr
    split = {msgid for msgid, by_area in translations.items() if len(set(by_area.values())) > 1}
    assert not split - KNOWN_SPLIT, {msgid: translations[msgid] for msgid in sorted(split - KNOWN_SPLIT)}
    assert not KNOWN_SPLIT - split, f"now one meaning each, remove from KNOWN_SPLIT: {sorted(KNOWN_SPLIT - split)}"
