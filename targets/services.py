"""The writes of a year's targets and rule set (the edit pages' only way to the database).

Each row is validated by the model (`full_clean`) before anything is saved, the rows are saved
in one transaction, and each change is recorded in the history as the user's. A row that came
with the reference data (loaded without history) first gets its stored values recorded as the
baseline, so that its first change reads old → new (targets.history).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from .history import record_baseline
from .models import RuleSet, UnitTarget


def save_targets(*, targets: list[UnitTarget], user: AbstractBaseUser) -> None:
    """Save changed target rows (new ones included) in one transaction, as `user`'s changes."""
    for target in targets:
        target.full_clean()
    with transaction.atomic():
        record_baseline(UnitTarget, [target.pk for target in targets if target.pk])
        for target in targets:
            target._history_user = user
            target.save()


def save_rule_set(*, rule_set: RuleSet, user: AbstractBaseUser) -> None:
    """Save a year's rule set (new or changed), as `user`'s change."""
    rule_set.full_clean()
    with transaction.atomic():
        record_baseline(RuleSet, [rule_set.pk] if rule_set.pk else [])
        rule_set._history_user = user
        rule_set.save()
