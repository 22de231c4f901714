import pytest

from salesops.approvals.registry import _types
from salesops.approvals.tests.factories import TEST_DOC, register_test_doc_type


@pytest.fixture
def test_doc():
    doc_type = register_test_doc_type()
    yield doc_type
    _types.pop(TEST_DOC, None)
