"""The benchmark's pipeline data (bench/generate.py --enterprises/--leads/--activities), at a tiny
size: the rows are what the models allow, open leads have what they must, counts are as asked."""

import random

from bench import generate
from chains.models import ChainNode, Level
from leads.models import OPEN_STAGES, REQUIRED_WHEN_OPEN, Activity, Lead, LeadStage, ListMembership, TargetEnterprise
from projects.models import Project

PROJECTS, ENTERPRISES, LEADS, ACTIVITIES = 50, 20, 40, 200


def generated(seed=7):
    units, parks = generate.assessed_units()
    projects, cooperations, arrivals = generate.generate(random.Random(seed), PROJECTS, units, parks, generate.next_ids())
    links = list(ChainNode.objects.links().filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    generate.give_projects_chain_links(projects, links)
    generate.write_all(projects, cooperations, arrivals)
    ref = generate.pipeline_reference(units, parks)
    rng = random.Random(seed + 1)
    first_id = generate.next_ids()
    pipeline = generate.generate_pipeline(rng, ENTERPRISES, LEADS, ref, first_id)
    written = generate.write_pipeline(pipeline, generate.activity_rows(rng, ACTIVITIES, pipeline, ref, first_id))
    return pipeline, written


def test_the_generated_pipeline_is_what_the_models_allow(fuling_2021):
    pipeline, written = generated()
    assert written == ACTIVITIES
    assert TargetEnterprise.objects.count() == ENTERPRISES
    assert Lead.objects.count() == LEADS
    assert Activity.objects.count() == ACTIVITIES
    assert Lead.objects.filter(code__startswith=generate.LEAD_CODE_PREFIX).count() == LEADS
    for enterprise in TargetEnterprise.objects.all()[:10]:
        enterprise.full_clean()
        assert enterprise.name.startswith(generate.LABEL)
        assert all(link.level == Level.LINK for link in enterprise.chain_links.all())
    for membership in ListMembership.objects.all()[:10]:
        membership.full_clean()
    for lead in Lead.objects.all():
        lead.full_clean()  # Lead.clean: an open lead's person, next step and deadline; resume date, reason, project
    for activity in Activity.objects.all()[:20]:
        activity.full_clean()
        assert activity.summary.startswith(generate.LABEL)
        assert activity.lead is None or activity.lead.owner_unit_id == activity.unit_id
        assert 2021 == activity.date.isocalendar().year
    open_leads = Lead.objects.filter(stage__in=OPEN_STAGES)
    assert open_leads.exists()
    for lead in open_leads:
        assert all(getattr(lead, name) for name in REQUIRED_WHEN_OPEN)
    for lead in Lead.objects.filter(stage=LeadStage.SIGNED):
        assert lead.project.code.startswith(generate.CODE_PREFIX)
    for lead in Lead.objects.all():  # the mark leads.services keeps: the latest of its activities
        latest = max((a.date for a in lead.activities.all()), default=None)
        assert lead.last_activity_on == latest
    assert Project.objects.filter(chain_link__isnull=False).exists()
    later = Lead.objects.create(code="AFTER-1", name="新线索", owner_unit_id=pipeline["leads"][0]["owner_unit_id"])
    assert later.pk > pipeline["leads"][-1]["id"]  # the sequences were moved past the generated ids


def test_reset_deletes_the_bench_pipeline(fuling_2021):
    generated()
    generate.delete_bench_data()
    assert not TargetEnterprise.objects.exists()
    assert not Lead.objects.exists()
    assert not Activity.objects.exists()
    assert not ListMembership.objects.exists()
    assert not Project.objects.filter(code__startswith=generate.CODE_PREFIX).exists()


def test_the_same_seed_gives_the_same_pipeline(fuling_2021):
    units, parks = generate.assessed_units()
    ref = generate.pipeline_reference(units, parks)
    first_id = {"enterprise": 1, "membership": 1, "enterprise_link": 1, "lead": 1, "activity": 1}

    def once():
        rng = random.Random(3)
        pipeline = generate.generate_pipeline(rng, ENTERPRISES, LEADS, ref, first_id)
        return pipeline, list(generate.activity_rows(rng, ACTIVITIES, pipeline, ref, first_id))

    assert once() == once()
