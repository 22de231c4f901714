"""VAT of the documents written before VAT was kept: their prices were tax-inclusive (the
amounts customers were asked to pay stay exactly as they were, so receipts, allocations and
every report at a past date are unchanged); the tax inside each line is taken out at its
product's rate, rounded to the cent per line, and the documents' tax is the sum of their lines."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations
from django.db.models import Sum

CENT = Decimal("0.01")
BATCH = 2000


def tax_inside(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def fill(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    rates = dict(Product.objects.values_list("pk", "tax_rate"))
    for line_model, document_model, link in (
        ("QuoteLine", "Quote", "quote"),
        ("OrderLine", "SalesOrder", "order"),
        ("InvoiceLine", "Invoice", "invoice"),
    ):
        Line = apps.get_model("sales", line_model)
        Document = apps.get_model("sales", document_model)
        batch = []
        for line in Line.objects.only("pk", "product_id", "amount").order_by("pk").iterator(chunk_size=BATCH):
            rate = Decimal(rates.get(line.product_id, 0))
            line.tax_rate = rate
            line.tax_amount = tax_inside(line.amount, rate)
            batch.append(line)
            if len(batch) >= BATCH:
                Line.objects.bulk_update(batch, ["tax_rate", "tax_amount"])
                batch = []
        Line.objects.bulk_update(batch, ["tax_rate", "tax_amount"])
        sums = Line.objects.order_by().values(f"{link}_id").annotate(tax=Sum("tax_amount"))
        documents = []
        for row in sums.iterator(chunk_size=BATCH):
            documents.append(
                Document(
                    pk=row[f"{link}_id"], tax_total=Decimal(str(row["tax"] or 0)).quantize(CENT, rounding=ROUND_HALF_UP)
                )
            )
            if len(documents) >= BATCH:
                Document.objects.bulk_update(documents, ["tax_total"])
                documents = []
        Document.objects.bulk_update(documents, ["tax_total"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_vat_rates_and_tax_inclusive_price_lists"),
        ("sales", "0007_vat_on_document_lines"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
