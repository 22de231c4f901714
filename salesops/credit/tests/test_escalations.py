import datetime

from salesops.core.models import AuditEvent, Notification
from salesops.credit import receipts
from salesops.credit.escalations import escalations_run
from salesops.credit.models import CollectionEscalation
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice

TODAY = datetime.date.today()


def test_escalation_levels_and_idempotence(org):
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer)
    thirty = make_invoice(
        customer, "100.00", issue_date=TODAY - datetime.timedelta(days=70), due_date=TODAY - datetime.timedelta(days=35)
    )
    sixty = make_invoice(
        customer,
        "200.00",
        issue_date=TODAY - datetime.timedelta(days=100),
        due_date=TODAY - datetime.timedelta(days=65),
    )
    make_invoice(
        customer, "50.00", issue_date=TODAY - datetime.timedelta(days=40), due_date=TODAY - datetime.timedelta(days=10)
    )
    paid = make_invoice(
        customer, "70.00", issue_date=TODAY - datetime.timedelta(days=100), due_date=TODAY - datetime.timedelta(days=65)
    )
    receipts.receipt_record(actor=org["finance"], customer=customer, amount="70.00", received_on=TODAY, invoices=[paid])

    assert escalations_run() == 3
    levels = set(CollectionEscalation.objects.values_list("invoice_id", "level", "notified__username"))
    assert levels == {(thirty.pk, 30, "manager"), (sixty.pk, 30, "manager"), (sixty.pk, 60, "gm")}
    manager_notes = Notification.objects.filter(user=org["manager"], kind="collection_escalation")
    assert manager_notes.count() == 2
    assert manager_notes.first().url == f"/credit/{credit_file.pk}/"
    assert Notification.objects.filter(user=org["gm"], kind="collection_escalation").count() == 1
    assert AuditEvent.objects.filter(object_id=str(customer.pk), note__contains="escalated").count() == 3

    assert escalations_run() == 0
    assert CollectionEscalation.objects.count() == 3
    assert Notification.objects.filter(kind="collection_escalation").count() == 3
