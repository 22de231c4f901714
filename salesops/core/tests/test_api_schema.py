"""The OpenAPI schema describes every endpoint without errors or warnings, so clients and
fuzzers can rely on it."""

import warnings

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_schema_generates_without_errors_or_warnings(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence(), warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = sorted(GENERATOR_STATS._error_cache) + sorted(GENERATOR_STATS._warn_cache)
    GENERATOR_STATS.reset()
    assert problems == []
    # DRF's own warnings while the serializers are built (a float `min_value`, …)
    assert [str(warning.message) for warning in raised if issubclass(warning.category, UserWarning)] == []
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/customers/{id}/" in schema["paths"]


def test_every_operation_documents_the_error_shape(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "fields"]
    undocumented = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
        and any(
            operation["responses"].get(code, {}).get("content", {}).get("application/json", {}).get("schema")
            != {"$ref": "#/components/schemas/Error"}
            for code in ("4XX", "5XX")
        )
    ]
    assert undocumented == []
