"""The stage is derived from the milestones (landing.stages), kept by 0009: the field goes.

A migration of its own: on PostgreSQL, altering the project table in the transaction that just
wrote milestones referring to it fails ("pending trigger events")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_milestones_from_stage"),
    ]

    operations = [
        migrations.RemoveField(model_name="historicalproject", name="stage"),
        migrations.RemoveField(model_name="project", name="stage"),
    ]
