"""OpenAPI enum names. Many models have a `status` or `kind` field with different choices;
drf-spectacular would name them Status075Enum, StatusD4fEnum… This gives each choice set of a
model field a readable, stable name (SalesOrderStatusEnum) before the schema is generated."""

from django.apps import apps
from django.conf import settings


def install_enum_names() -> None:
    overrides = dict(settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}))
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
