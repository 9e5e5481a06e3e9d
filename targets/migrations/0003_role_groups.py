from django.db import migrations

ROLES = ["单位填报员", "招商局审核员", "区领导", "系统管理员"]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    """The four roles of access/roles.py, as groups the administrator assigns."""

    dependencies = [("targets", "0002_membership"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
