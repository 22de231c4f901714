"""The history of a record shows the figures inside stored JSON payloads with the formatting
helper: more than 2 decimals become 2, thousands grouped; ids and other whole numbers, texts
and the fields a reader may not see stay as they are."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation

from salesops.core.history import display, readable_history
from salesops.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PAYLOAD = {"families": [{"id": 12345, "month": "2026-12", "inventory": 58.803103, "cover": "1234.5", "gap": True}]}


@pytest.mark.parametrize(("language", "yes"), [("en", "Yes"), ("zh-hans", "是")])
def test_figures_in_a_json_value_are_formatted(language, yes):
    with translation.override(language):
        text = display(models.JSONField(), PAYLOAD)
    assert text == f"families: [{{id: 12345, month: 2026-12, inventory: 58.80, cover: 1,234.5, gap: {yes}}}]"


def test_a_list_recorded_by_a_service_reads_as_before():
    assert display(None, ["P1: 3", "P2: 4"]) == "P1: 3, P2: 4"
    assert display(None, [{"sku": "P1", "quantity": "286.610000"}]) == "{sku: P1, quantity: 286.61}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sop_pack_history_shows_its_data_formatted(org, language):
    from salesops.planning.models import SopPack

    pack = SopPack.objects.create(month=datetime.date(2026, 12, 1), created_by=org["planner"], data={})
    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(SopPack),
        object_id=str(pack.pk),
        action=AuditEvent.Action.UPDATE,
        changes={"data": [{}, {"families": [{"on_hand": 58.803103, "future": [{"inventory": 12345.678}]}]}]},
    )
    with translation.override(language):
        entries = readable_history(
            AuditEvent.objects.filter(content_type__model="soppack", object_id=str(pack.pk), action="update"),
            viewer=org["planner"],
        )
    [change] = entries[0].changes
    # the keys in the order the database keeps them (PostgreSQL's jsonb sorts them)
    assert change.after in {
        "families: [{on_hand: 58.80, future: [{inventory: 12,345.68}]}]",
        "families: [{future: [{inventory: 12,345.68}], on_hand: 58.80}]",
    }
    assert "58.803103" not in change.after
