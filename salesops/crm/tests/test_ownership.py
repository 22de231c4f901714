import pytest

from salesops.core.models import Notification
from salesops.core.tests.parallel import run_at_once
from salesops.crm import services
from salesops.crm.exceptions import HoldingLimitReached, InLeadPool, OwnershipTaken
from salesops.crm.models import CrmPolicy, Customer, OwnershipChange, OwnershipConflict, OwnershipKey, ReassignmentBatch
from salesops.crm.tests.factories import make_customer


def test_registration_creates_prospect_with_keys(org):
    customer = services.lead_register(
        actor=org["rep1"],
        name="杭州好又多超市有限公司",
        phone="138 0013 8000",
        contact_name="王伟",
        interest="面粉报价",
    )
    assert customer.owner == org["rep1"] and customer.status == Customer.Status.PROSPECT
    assert set(OwnershipKey.objects.filter(customer=customer).values_list("kind", "value")) == {
        ("phone", "+8613800138000"),
        ("name", "杭州好又多超市"),
    }
    assert customer.activities.count() == 1
    assert OwnershipChange.objects.filter(customer=customer, reason="registered").count() == 1


@pytest.mark.parametrize(
    "variant", [{"phone": "+86-138-0013-8000"}, {"phone": "13900000000", "name": "杭州 好又多超市 股份有限公司"}]
)
def test_colleague_is_refused_without_details(org, variant):
    original = services.lead_register(actor=org["rep1"], name="杭州好又多超市有限公司", phone="13800138000")
    before = Customer.objects.count()
    with pytest.raises(OwnershipTaken) as caught:
        services.lead_register(actor=org["rep3"], **{"name": "某客户", **variant})
    message = str(caught.value.message)
    assert "Supervisor1" in message  # whom to talk to: the owner's supervisor
    assert "好又多" not in message and "Rep1" not in message and original.code not in message
    assert Customer.objects.count() == before
    conflict = OwnershipConflict.objects.get()
    assert conflict.attempted_by == org["rep3"] and conflict.customer == original and conflict.status == "open"
    assert Notification.objects.filter(user=org["supervisor1"], kind="crm_conflict").count() == 1


def test_conflict_api_answers_409_and_hides_the_customer(org, api):
    services.lead_register(actor=org["rep1"], name="杭州好又多超市", phone="13800138000")
    response = api(org["rep3"]).post(
        "/api/v1/crm/leads/register/", {"name": "X", "phone": "138 0013 8000"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "ownership_conflict"
    assert response.json()["talk_to"] == "Supervisor1"
    assert "好又多" not in response.content.decode()
    own = api(org["rep3"]).get("/api/v1/crm/conflicts/").json()["results"]
    assert set(own[0]) == {"id", "attempted_name", "matched_on", "status", "created_at"}
    check = api(org["rep3"]).get("/api/v1/crm/ownership-check/", {"phone": "13800138000"}).json()
    assert check == {"status": "taken", "talk_to": "Supervisor1"}


def test_own_prospect_returns_existing(org):
    first = services.lead_register(actor=org["rep1"], name="A公司", phone="13800138000")
    again = services.lead_register(actor=org["rep1"], name="A", phone="138-0013-8000", interest="再次来电")
    assert again.pk == first.pk and first.activities.count() == 2


def test_supervisor_assigns_conflict(org, api):
    customer = services.lead_register(actor=org["rep1"], name="A公司", phone="13800138000")
    with pytest.raises(OwnershipTaken):
        services.lead_register(actor=org["rep2"], name="A公司", phone="13800138000")
    conflict = OwnershipConflict.objects.get()
    assert api(org["rep1"]).post(
        f"/api/v1/crm/conflicts/{conflict.pk}/decide/", {"decision": "assign"}
    ).status_code in (403, 404)
    response = api(org["supervisor1"]).post(f"/api/v1/crm/conflicts/{conflict.pk}/decide/", {"decision": "assign"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.owner == org["rep2"]
    assert OwnershipChange.objects.filter(customer=customer, reason="conflict", from_owner=org["rep1"]).exists()
    assert api(org["supervisor2"]).get(f"/api/v1/crm/conflicts/{conflict.pk}/").status_code == 404


def test_invalid_tax_id_refused(org):
    from salesops.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.lead_register(actor=org["rep1"], name="A", phone="13800138000", tax_id="123")
    assert Customer.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_has_exactly_one_owner():
    from salesops.core.tests.factories import make_org

    org = make_org()
    reps = [org["rep1"], org["rep2"], org["rep3"]] * 3

    def register(rep):
        services.lead_register(actor=rep, name=f"同一客户 {rep.username}", phone="+86 138 0013 8000")
        return "ok"

    outcomes = [
        ("taken" if isinstance(outcome, OwnershipTaken) else outcome, rep.pk)
        for rep, outcome in zip(reps, run_at_once(register, reps, expected=OwnershipTaken), strict=True)
    ]
    assert OwnershipKey.objects.filter(kind="phone", value="+8613800138000").count() == 1
    owner = OwnershipKey.objects.get(kind="phone").customer.owner_id
    assert Customer.objects.filter(phone__contains="138").values("owner").distinct().count() == 1
    assert all(pk == owner for result, pk in outcomes if result == "ok")
    assert sum(1 for result, pk in outcomes if result == "taken") == sum(1 for rep in reps if rep.pk != owner)


def test_pool_return_and_claim_limit(org):
    import datetime

    from django.utils import timezone

    old = make_customer(org["rep1"], status=Customer.Status.PROSPECT)
    fresh = make_customer(org["rep1"], status=Customer.Status.PROSPECT)
    Customer.objects.filter(pk=old.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=31))
    Customer.objects.filter(pk=fresh.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=5))
    assert services.pool_return_stale() == 1
    old.refresh_from_db()
    assert old.in_pool and not Customer.objects.get(pk=fresh.pk).in_pool
    with pytest.raises(InLeadPool):
        services.lead_register(actor=org["rep2"], name="x", phone=old.phone)
    policy = CrmPolicy.current()
    policy.max_prospects_per_rep = 1
    policy.save()
    make_customer(org["rep2"], status=Customer.Status.PROSPECT)
    with pytest.raises(HoldingLimitReached):
        services.pool_claim(customer=old, actor=org["rep2"])
    assert Customer.objects.get(pk=old.pk).in_pool  # nothing changed
    policy.max_prospects_per_rep = 5
    policy.save()
    services.pool_claim(customer=old, actor=org["rep2"])
    old.refresh_from_db()
    assert old.owner == org["rep2"] and not old.in_pool
    assert list(old.ownership_changes.values_list("reason", flat=True))[:2] == ["pool_claim", "pool_return"]


def test_pool_days_per_grade(org):
    import datetime

    from django.utils import timezone

    graded = make_customer(org["rep1"], status=Customer.Status.PROSPECT)
    Customer.objects.filter(pk=graded.pk).update(
        grade="A", last_activity_at=timezone.now() - datetime.timedelta(days=45)
    )
    assert services.pool_return_stale() == 0  # A: 90 days


def test_bulk_reassignment_keeps_history(org, api, django_capture_on_commit_callbacks):
    customers = [make_customer(org["rep1"]) for _ in range(5)]
    other = make_customer(org["rep3"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api(org["supervisor1"]).post(
            "/api/v1/crm/reassignments/",
            {"from_owner": org["rep1"].pk, "to_owner": org["rep2"].pk, "reason": "rep1 leaves"},
            format="json",
        )
    assert response.status_code == 201, response.content
    batch = ReassignmentBatch.objects.get()
    assert batch.status == "done" and batch.done == 5
    assert Customer.objects.filter(owner=org["rep2"]).count() == 5
    assert OwnershipChange.objects.filter(reason="reassigned", batch=batch).count() == 5
    assert customers[0].ownership_changes.first().from_owner == org["rep1"]
    assert Customer.objects.get(pk=other.pk).owner == org["rep3"]
    # another team's supervisor cannot move rep1's customers to their own rep
    denied = api(org["supervisor2"]).post(
        "/api/v1/crm/reassignments/",
        {"from_owner": org["rep2"].pk, "to_owner": org["rep3"].pk, "reason": "x"},
        format="json",
    )
    assert denied.status_code == 400
    assert api(org["rep1"]).get("/api/v1/crm/reassignments/").status_code == 403
