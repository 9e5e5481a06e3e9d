"""Labelled demo signing events (演示数据), each with demo projects signed at it, so the signing
events' list and an event's cohort over the quarters show something on first start.

Loaded after the demo projects (projects/demo.py) by `bootstrap --demo` only, in the same year;
the command hands the demo projects in (projects read this app, so it never imports them).
Every event's name starts with 【演示】, so none can be mistaken for a real one and
`remove_demo_events` finds all of them. The links go through landing.signing, like the event
page's: each one is checked (a project signed within EVENT_SIGNING_TOLERANCE_DAYS of the event,
not withdrawn, at one event at most) and recorded in the history with its author.
"""

from __future__ import annotations

import datetime

from django.db import models, transaction
from django.utils import timezone

from targets.models import Unit, UnitKind

from . import signing
from .models import EVENT_SIGNING_TOLERANCE_DAYS, SigningEvent

DEMO_PREFIX = "【演示】"

# (month, day, name, at most this many projects): the plan's quarterly signing ceremonies, each
# organised by a park in turn and held at its offices.
EVENTS = [
    (3, 26, "第一季度重点项目集中签约活动", 8),
    (6, 18, "第二季度招商引资项目集中签约仪式", 6),
    (9, 28, "第三季度重点产业项目集中签约活动", 7),
]


def has_demo_events() -> bool:
    return SigningEvent.objects.filter(name__startswith=DEMO_PREFIX).exists()


@transaction.atomic
def load_demo_events(
    *, year: int, projects: list[models.Model], user=None, today: datetime.date | None = None
) -> dict[str, int]:
    """The year's demo events held by `today`, each linked to the `projects` (the demo ones, not
    withdrawn) signed nearest to it, within the tolerance and at one event at most: how many
    events and links."""
    today = today or timezone.localdate()
    organisers = list(Unit.objects.filter(kind=UnitKind.PARK, is_active=True).order_by("sort_order", "pk"))
    candidates = [p for p in projects if p.signed_on is not None]
    linked: set[int] = set()
    events = links = 0
    for number, (month, day, name, most) in enumerate(EVENTS):
        held_on = datetime.date(year, month, day)
        if held_on > today or not organisers:
            continue
        organiser = organisers[number % len(organisers)]
        event = signing.create_event(
            user=user,
            facts={
                "name": f"{DEMO_PREFIX}{year}年{name}",
                "date": held_on,
                "place": f"{organiser.name}管委会会议中心",
                "organiser": organiser,
                "note": "演示数据",
            },
        )
        events += 1
        for project in _signed_near(candidates, held_on, exclude=linked)[:most]:
            signing.link_project(event=event, project=project, user=user)
            linked.add(project.pk)
            links += 1
    return {"events": events, "links": links}


def remove_demo_events() -> int:
    """Delete the demo events (their links go with them): how many events."""
    events = SigningEvent.objects.filter(name__startswith=DEMO_PREFIX)
    count = events.count()
    events.delete()
    return count


def _signed_near(projects: list[models.Model], held_on: datetime.date, *, exclude: set[int]) -> list[models.Model]:
    """The projects signed within the tolerance of `held_on`, nearest first."""
    near = [
        p
        for p in projects
        if p.pk not in exclude and abs((p.signed_on - held_on).days) <= EVENT_SIGNING_TOLERANCE_DAYS
    ]
    return sorted(near, key=lambda p: (abs((p.signed_on - held_on).days), p.code))
