from salesops.core.audit import history_for, model_update
from salesops.core.models import AuditEvent
from salesops.core.services import user_set_roles
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
