"""The benchmark's own pieces, at a small size: its data is valid and its floor is the ranking's."""

import random

from bench import generate, ranking
from figures.assessment import assess, rules_for
from projects import landing_facts
from projects.models import Arrival, Project
from targets import scoring

Q4 = scoring.Period(2021, 4)


def generated(approved=400, seed=7):
    units, parks = generate.assessed_units()
    projects, cooperations, arrivals = generate.generate(random.Random(seed), approved, units, parks, generate.next_ids())
    generate.write_all(projects, cooperations, arrivals)
    return projects


def test_the_generated_data_is_what_the_models_allow(fuling_2021):
    rows = generated()
    assert Project.objects.approved().count() == 400
    assert Arrival.objects.count() == 3 * len(rows)
    for project in Project.objects.prefetch_related("cooperations"):
        assert project.cooperating_count == len(project.cooperations.all())
        assert project.lead_unit_id not in {c.unit_id for c in project.cooperations.all()}
    kept = list(Project.objects.order_by("pk").values_list("pk", "started_on", "producing_on", "full_production_on", "last_update_at"))
    landing_facts.refresh_all()  # what the app's writes would have left
    assert list(Project.objects.order_by("pk").values_list("pk", "started_on", "producing_on", "full_production_on", "last_update_at")) == kept
    assert any(row[1] for row in kept) and any(row[3] for row in kept)
    later = Project.objects.create(
        code="AFTER-1",
        name="新项目",
        lead_unit_id=rows[0]["lead_unit_id"],
        sector="industrial",
        origin="outside_city",
        agreement_capital=1,
    )
    assert later.pk > rows[-1]["id"]  # the sequences were moved past the generated ids


def test_the_same_seed_gives_the_same_data(fuling_2021):
    units, parks = generate.assessed_units()
    first = generate.generate(random.Random(3), 50, units, parks, {"project": 1, "cooperation": 1, "arrival": 1})
    again = generate.generate(random.Random(3), 50, units, parks, {"project": 1, "cooperation": 1, "arrival": 1})
    assert first == again


def test_the_floor_sums_what_assess_sums(fuling_2021):
    generated()
    sql, params = ranking.floor_query(Q4, rules_for(2021))
    floor = ranking.run_floor(sql, params)
    results = assess(Q4)
    assert ranking.compare(results, floor) == []
    assert sum(r.indicators[scoring.Indicator.ARRIVED_CAPITAL].actual for r in results) > 0
    assert sum(agreed for agreed, _arrived in floor.values()) > 0
