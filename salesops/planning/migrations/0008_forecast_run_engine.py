from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0007_forecast_total_level"),
    ]

    operations = [
        migrations.AddField(
            model_name="forecastrun",
            name="engine",
            field=models.CharField(blank=True, max_length=20, verbose_name="forecast engine"),
        ),
    ]
