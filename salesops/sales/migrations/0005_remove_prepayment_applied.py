"""The prepayment applied to invoices is now the orders' receipts and their allocations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_order_waits_for_payment"),
        ("credit", "0005_receipts_behind_every_paid_amount"),
    ]

    operations = [migrations.RemoveField(model_name="salesorder", name="prepayment_applied")]
