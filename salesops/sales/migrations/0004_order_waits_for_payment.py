"""Orders can wait for payment; what the rep types as a prepayment becomes an expected
prepayment (information for finance, never a decision). `prepayment_applied` goes once the
credit data migration has turned every prepayment the old rule counted into a receipt."""

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0004_input_bounds"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="salesorder", name="sales_order_prepayment_not_negative"),
        migrations.RenameField(model_name="salesorder", old_name="prepayment_amount", new_name="expected_prepayment"),
        migrations.AlterField(
            model_name="salesorder",
            name="expected_prepayment",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="expected prepayment"
            ),
        ),
        migrations.AlterField(
            model_name="salesorder",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("pending_approval", "Waiting for approval"),
                    ("pending_payment", "Waiting for payment"),
                    ("confirmed", "Confirmed"),
                    ("partially_delivered", "Partially delivered"),
                    ("delivered", "Delivered"),
                    ("closed", "Closed"),
                    ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"),
                ],
                default="draft",
                max_length=30,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="salesreturn",
            name="refund_amount",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="payment to refund"
            ),
        ),
        migrations.AddConstraint(
            model_name="salesorder",
            constraint=models.CheckConstraint(
                condition=models.Q(("expected_prepayment__gte", 0)), name="sales_order_expected_prepayment_not_negative"
            ),
        ),
    ]
