"""Who a user is: the four roles, as Django groups assigned in the admin.

- 单位填报员 (unit staff): belongs to exactly one unit (targets.Membership); enters and
  submits that unit's projects, sees the projects it leads or cooperates in.
- 招商局审核员 (reviewer): sees everything, reviews, edits approved projects, targets, rules.
- 区领导 (leader): sees everything, changes nothing.
- 系统管理员 (administrator, or a superuser): a reviewer who also manages accounts in the admin.

A user in several groups has the strongest role of them (administrator > reviewer > leader
> staff). The answer is computed once per user object, so a page asks the database once.
What each role may do is access/permissions.py.
"""

from __future__ import annotations

from enum import StrEnum

from targets.models import Membership


class Role(StrEnum):
    ADMINISTRATOR = "系统管理员"
    REVIEWER = "招商局审核员"
    LEADER = "区领导"
    STAFF = "单位填报员"

    @property
    def label(self) -> str:
        return self.value


STRENGTH = [Role.ADMINISTRATOR, Role.REVIEWER, Role.LEADER, Role.STAFF]


class Access:
    """A signed-in user's role and unit, read once."""

    def __init__(self, user):
        self.user = user
        self.role: Role | None = None
        self.unit = None
        if not user.is_authenticated:
            return
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMINISTRATOR)
        self.role = next((role for role in STRENGTH if role in names), None)
        if self.role is Role.STAFF:
            membership = Membership.objects.select_related("unit").filter(user_id=user.pk).first()
            self.unit = membership.unit if membership else None


def display_name(user) -> str:
    """A user as pages and messages name them: the full name, else the username; "系统" for none
    (a change made by a command or a data load)."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def access_of(user) -> Access:
    cached = getattr(user, "_access", None)
    if cached is None:
        cached = Access(user)
        if user.is_authenticated:
            user._access = cached
    return cached


