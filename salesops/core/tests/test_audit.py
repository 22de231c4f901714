import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.core.audit import history_for, model_create, model_update
from salesops.core.models import AuditEvent, OrgUnit
from salesops.core.services import org_unit_create, user_set_roles
from salesops.crm.services import customer_create, customer_update


def test_create_and_change_are_recorded_with_who_and_what(org):
    customer = customer_create(actor=org["rep1"], name="Alpha", owner=org["rep1"])
    customer_update(customer=customer, data={"city": "上海", "name": "Alpha Ltd"}, actor=org["supervisor1"])

    created, changed = reversed(list(history_for(customer)))
    assert (created.action, created.actor) == (AuditEvent.Action.CREATE, org["rep1"])
    assert created.changes["name"] == [None, "Alpha"]
    assert (changed.action, changed.actor) == (AuditEvent.Action.UPDATE, org["supervisor1"])
    assert changed.changes == {"city": ["", "上海"], "name": ["Alpha", "Alpha Ltd"]}


def test_saving_the_same_values_records_nothing(org):
    customer = customer_create(actor=org["rep1"], name="Alpha", owner=org["rep1"])
    _instance, changed = model_update(instance=customer, fields=["name"], data={"name": "Alpha"}, actor=org["rep1"])
    assert changed is False
    assert history_for(customer).count() == 1


def test_role_changes_are_audited_on_the_user(org):
    user_set_roles(user=org["rep2"], roles=["sales_rep", "sales_admin"], actor=org["admin"])
    event = history_for(org["rep2"]).first()
    assert event.changes == {"roles": [["sales_rep"], ["sales_admin", "sales_rep"]]}
    assert event.actor == org["admin"]


def _lookups_by_id(context) -> list[str]:
    """The "does the row with this id exist" queries that validating a reference makes."""
    return [
        q["sql"] for q in context.captured_queries if q["sql"].startswith('SELECT 1 AS "a"') and '"id" =' in q["sql"]
    ]


def test_validation_does_not_read_a_loaded_reference_again(org):
    with CaptureQueriesContext(connection) as context:
        unit = org_unit_create(
            company=org.company, name="West", code="WEST", kind=OrgUnit.Kind.REGION, parent=org.units["SALES"]
        )
    assert unit.parent == org.units["SALES"]
    assert _lookups_by_id(context) == []  # the uniqueness of the code is still checked


def test_validation_still_refuses_a_missing_reference_and_a_duplicate(org):
    with pytest.raises(ValidationError) as missing:
        model_create(instance=OrgUnit(company=org.company, parent_id=999_999, name="X", code="X", kind="team"))
    assert "parent" in missing.value.message_dict
    with pytest.raises(ValidationError) as duplicate:
        model_create(
            instance=OrgUnit(company=org.company, parent=org.units["SALES"], name="E", code="EAST", kind="team")
        )
    assert "code" in duplicate.value.message_dict
    assert not OrgUnit.objects.filter(code="X").exists()
