"""Every product belongs to a family: products without one move to the family
"未分类 / Unassigned" (made here if needed) before the column becomes NOT NULL."""

import django.db.models.deletion
from django.db import migrations, models

import salesops.catalog.models


def assign_unassigned(apps, schema_editor):
    ProductFamily = apps.get_model("catalog", "ProductFamily")
    Product = apps.get_model("catalog", "Product")
    orphans = Product.objects.filter(family__isnull=True)
    if not orphans.exists():
        return
    family, created = ProductFamily.objects.get_or_create(
        code="UNASSIGNED", defaults={"name": "未分类", "name_en": "Unassigned"}
    )
    if created or not family.path:
        family.path = f"/{family.pk}/"
        family.save(update_fields=["path"])
    orphans.update(family=family)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_vat_rates_and_tax_inclusive_price_lists"),
    ]

    operations = [
        migrations.RunPython(assign_unassigned, migrations.RunPython.noop),
        # NOT NULL first without a default, so the schema change never calls the model's
        # default function (the rows were filled above) ...
        migrations.AlterField(
            model_name="product",
            name="family",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="products",
                to="catalog.productfamily",
                verbose_name="family",
            ),
        ),
        # ... then the default for products made by code without a family.
        migrations.AlterField(
            model_name="product",
            name="family",
            field=models.ForeignKey(
                default=salesops.catalog.models.unassigned_family,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="products",
                to="catalog.productfamily",
                verbose_name="family",
            ),
        ),
    ]
