"""Indexes for the pipeline pages at bench size (docs/performance.md, "The pipeline pages"): the
lead list's first page, and the chain tree's per-link counts (the tree page, the battle map)."""

from django.db import migrations, models

# The enterprises' links to the chain tree (TargetEnterprise.chain_links, a table Django creates
# without a model of its own to declare indexes on): a link's enterprises, read from the index alone.
LINKS_BY_NODE = "enterprise_link_node"
LINKS_TABLE = "leads_targetenterprise_chain_links"


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_weeklyindex_rules_year")]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["deadline", "id"], name="lead_list_order"),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["chain_link", "stage"], name="lead_chain_stage"),
        ),
        migrations.AddIndex(
            model_name="targetenterprise",
            index=models.Index(fields=["id", "is_local"], name="enterprise_local"),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {LINKS_BY_NODE} ON {LINKS_TABLE} (chainnode_id, targetenterprise_id)",
            f"DROP INDEX {LINKS_BY_NODE}",
        ),
    ]
