"""The seeded commission rules were named in two languages in one field. They are the company's
own data, with one name: they keep the Chinese name the company uses (people rename them at will)."""

import re

from django.db import migrations

SEEDED = [
    ("targets", "CommissionRule", "销售提成（达成率<80%） Sales commission, below 80 %"),
    ("targets", "CommissionRule", "销售提成（80%–100%） Sales commission, 80–100 %"),
    ("targets", "CommissionRule", "销售提成（≥100%） Sales commission, 100 % and above"),
    ("targets", "CommissionRule", "回款提成 Collection commission"),
]


def chinese_part(name: str) -> str:
    return re.split(r"\s+(?=[A-Z])", name, maxsplit=1)[0]


def rename(apps, schema_editor):
    for app, model, name in SEEDED:
        apps.get_model(app, model).objects.filter(name=name).update(name=chinese_part(name))


def restore(apps, schema_editor):
    for app, model, name in SEEDED:
        apps.get_model(app, model).objects.filter(name=chinese_part(name)).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("targets", "0002_seed_policy_weights_rules_deadlines")]

    operations = [migrations.RunPython(rename, restore)]
