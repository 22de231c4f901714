"""Seed the field-sales policy, the visit frequencies of the manuals (A three times a week,
B twice a week, C once every two weeks) and the field-check criteria."""

from django.db import migrations

FREQUENCIES = [("A", 3, 1), ("B", 2, 1), ("C", 1, 2)]
CRITERIA = [
    ("coaching", "route", "Follows the route and times", "按线路和时间拜访", 10),
    ("coaching", "greeting", "Opening and relationship with the outlet", "开场与客情关系", 20),
    ("coaching", "stock_check", "Checks stock and suggests the order", "查库存并建议订单", 30),
    ("coaching", "merchandising", "Merchandising: shelf, price tags, cooler", "生动化：货架、价签、冰柜", 40),
    ("coaching", "records", "Visit record complete and the same day", "拜访记录完整且当天填写", 50),
    ("delivery", "on_time", "Delivered within 24 hours", "24小时内送达", 10),
    ("delivery", "complete", "Complete and undamaged", "数量齐全、无破损", 20),
    ("delivery", "receipt", "Signed receipt kept", "签收单完整", 30),
    ("outlet", "required_skus", "Required SKUs on the shelf", "必备品项上架", 10),
    ("outlet", "price_tags", "Price tags shown", "价签齐全", 20),
    ("outlet", "cooler", "Cooler placed, powered, clean, our packs", "冰柜到位、通电、清洁、陈列本品", 30),
    ("outlet", "freshness", "Stock within its dates (first in, first out)", "先进先出、无临期", 40),
]


def seed(apps, schema_editor):
    FieldPolicy = apps.get_model("field", "FieldPolicy")
    VisitFrequency = apps.get_model("field", "VisitFrequency")
    Criterion = apps.get_model("field", "FieldCheckCriterion")
    if not FieldPolicy.objects.exists():
        FieldPolicy.objects.create()
    for grade, visits, weeks in FREQUENCIES:
        VisitFrequency.objects.get_or_create(grade=grade, channel="", region=None, defaults={"visits": visits, "weeks": weeks})
    for kind, code, name_en, name_zh, position in CRITERIA:
        Criterion.objects.get_or_create(
            kind=kind, code=code, defaults={"name_en": name_en, "name_zh": name_zh, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("field", "0001_visit_policy_routes_visits_execution")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
