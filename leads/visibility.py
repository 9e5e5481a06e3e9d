"""Which leads and activities a user may see, as querysets.

Reviewers and leaders see all of them; a unit's staff the leads their unit owns or that belong
to a special group the unit lands projects for (项目落地单位), and the activities their unit
recorded; anyone else none.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from access import permissions
from access.roles import access_of
from groups.models import SpecialGroup

from .models import Activity, Lead

GroupLanding = SpecialGroup.landing_units.through


def visible_leads(user) -> QuerySet:
    access = access_of(user)
    if permissions.sees_everything(access):
        return Lead.objects.all()
    unit_id = permissions.staff_unit_id(access)
    if unit_id is None:
        return Lead.objects.none()
    landing_groups = GroupLanding.objects.filter(unit_id=unit_id).values("specialgroup_id")
    return Lead.objects.filter(Q(owner_unit_id=unit_id) | Q(group_id__in=landing_groups))


def visible_activities(user) -> QuerySet:
    access = access_of(user)
    if permissions.sees_everything(access):
        return Activity.objects.all()
    unit_id = permissions.staff_unit_id(access)
    return Activity.objects.filter(unit_id=unit_id) if unit_id is not None else Activity.objects.none()
