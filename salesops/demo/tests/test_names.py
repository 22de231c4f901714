"""Demo names are written in one language each: a person, a unit, a warehouse or a price list is
called 王五, not 王五 Wang Wu (usernames stay ASCII for logging in)."""

import re
from pathlib import Path

from salesops.core import demo

ROOT = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
NAME_LITERAL = re.compile(r'\bname="([^"]*)"')


def _one_language(text: str) -> bool:
    return not (HAN.search(text) and LATIN.search(text))


def test_demo_people_have_one_language_names_and_ascii_usernames():
    for username, full_name, *_rest in demo.PEOPLE:
        assert username.isascii(), username
        assert _one_language(full_name), full_name


def test_demo_units_have_one_language_names():
    for _code, name, *_rest in demo.UNITS:
        assert _one_language(name), name


def test_demo_name_literals_have_one_language():
    mixed = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in ROOT.glob("*/demo.py")
        for name in NAME_LITERAL.findall(path.read_text(encoding="utf-8"))
        if not _one_language(name)
    ]
    assert mixed == []
