from django.db import migrations, models
from django.db.models import F


def rules_of_the_week(apps, schema_editor):
    """Weeks stored before this field used their own year's rule set: nothing else was allowed."""
    apps.get_model("leads", "WeeklyIndex").objects.update(rules_year=F("year"))


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_lead_alert_marks")]

    operations = [
        migrations.AddField(
            model_name="weeklyindex",
            name="rules_year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="权重所依规则年度"),
        ),
        migrations.RunPython(rules_of_the_week, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="weeklyindex",
            name="rules_year",
            field=models.PositiveSmallIntegerField(verbose_name="权重所依规则年度"),
        ),
    ]
