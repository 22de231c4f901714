"""OpenAPI enum names. Many models have a `status` or `kind` field with different choices;
drf-spectacular would name them Status075Enum, StatusD4fEnum… This gives each choice set of a
model field a readable, stable name (SalesOrderStatusEnum) before the schema is generated."""

from django.apps import apps
from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerFieldExtension

TIME_OF_DAY_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"

# Choice sets of input fields that are no model field's, each named once here (as an import
# path, read when the schema is generated) so that fields sharing a set share one enum.
INPUT_ENUMS = {
    "SplitMethodEnum": "salesops.targets.serializers.SPLIT_METHODS",
}


def install_enum_names() -> None:
    overrides = {**INPUT_ENUMS, **settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {})}
    named = {
        tuple(sorted(str(value) for value, _label in choices))
        for choices in overrides.values()
        if isinstance(choices, list)
    }
    for model in apps.get_models():
        if not model.__module__.startswith("salesops."):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            choices = list(field.flatchoices)
            key = tuple(sorted(str(value) for value, _label in choices))
            if key in named:
                continue
            named.add(key)
            name = model.__name__ + "".join(part.title() for part in field.name.split("_")) + "Enum"
            overrides[name] = choices
    settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = overrides


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    """A time of day as the API writes it ("09:00:00"). OpenAPI's `format: time` is RFC 3339's
    full-time, which needs a UTC offset; a time of day in the company's zone has none, so it
    is described by its pattern instead."""

    target_class = "rest_framework.fields.TimeField"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": TIME_OF_DAY_PATTERN, "example": "09:00:00"}


# --- the error shape, documented on every operation -----------------------------------------
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every 4xx and 5xx answer under /api/ has this shape (see core.api.errors).",
    "properties": {
        "code": {"type": "string", "description": "stable, for programs: validation_error, not_found, …"},
        "message": {"type": "string", "description": "for people, in the caller's language"},
        "fields": {
            "type": "object",
            "description": "the input fields at fault, each with its messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "fields"],
}
ERROR_RESPONSES = {
    "4XX": "Refused: the input, the caller's rights or the record's state (the error shape).",
    "5XX": "Failed on the server (the error shape).",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error shape as a component, and as the answer
    of every operation for the status codes it does not document itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result


def install_error_responses() -> None:
    hooks = settings.SPECTACULAR_SETTINGS.setdefault(
        "POSTPROCESSING_HOOKS", ["drf_spectacular.hooks.postprocess_schema_enums"]
    )
    if "salesops.core.api.schema.document_error_responses" not in hooks:
        hooks.append("salesops.core.api.schema.document_error_responses")
