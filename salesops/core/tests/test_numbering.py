import ast
from pathlib import Path

import pytest
from django.db import transaction

from salesops.core.numbering import DOCUMENT_PREFIXES, next_number
from salesops.core.tests.parallel import run_at_once


@pytest.mark.django_db
def test_numbers_count_up_per_prefix_and_year():
    assert next_number(prefix="SO", year=2026) == "SO-2026-000001"
    assert next_number(prefix="SO", year=2026) == "SO-2026-000002"
    assert next_number(prefix="SO", year=2027) == "SO-2027-000001"
    assert next_number(prefix="INV", year=2026, width=4) == "INV-2026-0001"


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    try:
        with transaction.atomic():
            next_number(prefix="SO", year=2026)
            raise RuntimeError("document failed")
    except RuntimeError:
        pass
    assert next_number(prefix="SO", year=2026) == "SO-2026-000001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_get_the_same_number():

    def take_five(_index):
        taken = []
        for _ in range(5):
            with transaction.atomic():
                taken.append(next_number(prefix="SO", year=2026))
        return taken

    numbers = [number for taken in run_at_once(take_five, range(10)) for number in taken]  # fails on any error
    assert sorted(numbers) == [f"SO-2026-{n:06d}" for n in range(1, 51)]


def _prefixes_in_code() -> dict[str, set[str]]:
    """Every prefix handed to `next_number` outside the tests, with the modules that use it:
    literals, both branches of a conditional, and module-level constants (also imported ones)."""
    root = Path(__file__).resolve().parents[2]
    modules = [
        path
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "numbering.py"
    ]
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in modules}
    constants: dict[str, str] = {}
    for tree in trees.values():
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.endswith("PREFIX"):
                        assert constants.setdefault(target.id, node.value.value) == node.value.value, target.id

    def values(node) -> list[str]:
        if isinstance(node, ast.Constant):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return values(node.body) + values(node.orelse)
        if isinstance(node, ast.Name) and node.id in constants:
            return [constants[node.id]]
        raise AssertionError(f"a prefix the test cannot read: {ast.dump(node)}")

    used: dict[str, set[str]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "next_number":
                for keyword in node.keywords:
                    if keyword.arg == "prefix":
                        for prefix in values(keyword.value):
                            used.setdefault(prefix, set()).add(str(path.relative_to(root)))
    return used


def test_every_document_prefix_is_registered_once():
    registered = [prefix for prefix, _document in DOCUMENT_PREFIXES]
    documents = [document for _prefix, document in DOCUMENT_PREFIXES]
    assert len(registered) == len(set(registered)), sorted(p for p in registered if registered.count(p) > 1)
    assert len(documents) == len(set(documents))
    assert all(prefix.isascii() and prefix.isupper() and prefix.isalpha() for prefix in registered)
    used = _prefixes_in_code()
    assert set(used) - set(registered) == set(), "number prefixes used but not registered"
    assert set(registered) - set(used) == set(), "registered prefixes nothing uses"


def test_stocktakes_and_statements_are_numbered_apart():
    used = _prefixes_in_code()
    stocktake = {prefix for prefix, modules in used.items() if "inventory/stocktake.py" in modules}
    statement = {prefix for prefix, modules in used.items() if "credit/statements.py" in modules}
    assert stocktake == {"ST"}
    assert statement == {"SOA"}
