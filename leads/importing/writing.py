"""Writing a checked LeadImportPlan: all of it in one transaction, or nothing.

Enterprises first (the leads and activities may point at them), then leads, then activities; a
row whose values equal the stored object's is left alone, so importing a file twice changes
nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max

from lib.sql import chunks
from projects.importing import ImportRejected, Problem
from projects.importing.reading import ParsedRow, problems_from
from projects.importing.writing import CONFLICT

from ..models import Activity, Lead, ListMembership, TargetEnterprise
from .checking import LeadImportPlan, Ref
from .columns import ACTIVITIES, ENTERPRISES, LEADS, SHEETS, SheetSpec

# Checked for every row when the file was read (the names exist, codes and keys are once), not again.
CHECKED_WHEN_READ = ("owner_unit", "group", "chain_link", "enterprise", "lead", "unit", "project", "parent", "created_by")


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LeadImportResult:
    counts: dict[str, SheetCounts] = field(default_factory=lambda: {spec.title: SheetCounts() for spec in SHEETS})
    dry_run: bool = False

    def summary(self) -> list[str]:
        lines = ["试运行，未写入任何数据。将：" if self.dry_run else "导入完成："]
        for title, counts in self.counts.items():
            lines.append(f"{title}：新建 {counts.created} 条，更新 {counts.updated} 条，未变化 {counts.unchanged} 条。")
        return lines


def apply_lead_plan(*, plan: LeadImportPlan, user=None, dry_run: bool = False) -> LeadImportResult:
    """Write a checked plan in one transaction; raise ImportRejected (having written nothing) when
    the plan has problems or the database refuses a row. A dry run makes every write, reports
    what the import would do, and rolls back."""
    if plan.problems:
        raise ImportRejected(plan.problems)
    with transaction.atomic():
        writer = _Writer(plan=plan, user=user)
        try:
            with transaction.atomic():
                writer.write()
        except IntegrityError:
            writer.problems.append(Problem(None, None, None, CONFLICT))
        if writer.problems:
            transaction.set_rollback(True)
            raise ImportRejected(writer.problems)
        writer.result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return writer.result


def _assign(instance: models.Model, values: dict[str, Any]) -> bool:
    """Set the fields (by name; a relation takes an id) and say whether any changed."""
    changed = False
    for name, value in values.items():
        attname = instance._meta.get_field(name).attname
        if getattr(instance, attname) != value:
            setattr(instance, attname, value)
            changed = True
    return changed


class _Writer:
    def __init__(self, *, plan: LeadImportPlan, user):
        self.plan, self.user = plan, user
        self.problems: list[Problem] = []
        self.result = LeadImportResult()
        self.enterprise_ids: dict[int, int] = {}  # Excel row of 目标企业 → the enterprise written
        self.lead_ids: dict[int, int] = {}  # Excel row of 线索 → the lead written

    def write(self) -> None:
        self.locked = {
            model: _stored_rows(model, rows)
            for model, rows in ((TargetEnterprise, self.plan.enterprises), (Lead, self.plan.leads), (Activity, self.plan.activities))
        }
        for row in self.plan.enterprises:
            self.enterprise_ids[row.row] = self._write_enterprise(row)
        for row in self.plan.leads:
            self.lead_ids[row.row] = self._write_lead(row)
        touched = {self._write_activity(row) for row in self.plan.activities} - {None}
        _note_last_activities(touched)

    def _save(self, instance: models.Model, spec: SheetSpec, row: ParsedRow, *, new: bool) -> None:
        counts = self.result.counts[spec.title]
        try:
            instance.full_clean(exclude=CHECKED_WHEN_READ, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self.problems += problems_from(error, spec=spec, row=row.row)
            return
        instance.save()
        if new:
            counts.created += 1
        else:
            counts.updated += 1

    def _stored(self, model: type[models.Model], row: ParsedRow) -> models.Model | None:
        """The stored object a row updates; gone since the file was checked, the import is refused."""
        found = self.locked[model].get(row.existing_id)
        if found is None:
            self.problems.append(Problem(None, None, None, CONFLICT))
        return found

    def _id(self, ref: Ref | None, written: dict[int, int]) -> int | None:
        if ref is None:
            return None
        return written[ref.row] if ref.row is not None else ref.pk

    # --- 目标企业 ------------------------------------------------------------------------------

    def _write_enterprise(self, row: ParsedRow) -> int | None:
        values = row.values
        new = row.existing_id is None
        enterprise = TargetEnterprise(created_by=self.user) if new else self._stored(TargetEnterprise, row)
        if enterprise is None:
            return None
        fields = {name: values[name] for name in ("name", "credit_code") if name in values}
        if "region" in values:
            fields["province"], fields["city"] = values["region"]
        changed = _assign(enterprise, fields) or new
        if changed:
            self._save(enterprise, ENTERPRISES, row, new=new)
        if enterprise.pk is None:
            return None
        related_changed = self._write_links(enterprise, values) | self._write_memberships(enterprise, values)
        if related_changed and not changed:
            self.result.counts[ENTERPRISES.title].updated += 1
        elif not (changed or related_changed):
            self.result.counts[ENTERPRISES.title].unchanged += 1
        return enterprise.pk

    @staticmethod
    def _write_links(enterprise: TargetEnterprise, values: dict) -> bool:
        if "chain_links" not in values:
            return False
        wanted = set(values["chain_links"])
        if set(enterprise.chain_links.values_list("pk", flat=True)) == wanted:
            return False
        enterprise.chain_links.set(wanted)
        return True

    @staticmethod
    def _write_memberships(enterprise: TargetEnterprise, values: dict) -> bool:
        """The file's lists are the enterprise's lists; a stored one keeps its source, takes the rank."""
        if "memberships" not in values:
            return False
        stored = {(m.list_name, m.year): m for m in enterprise.memberships.all()}
        changed = False
        for list_name, year, rank in values["memberships"]:
            membership = stored.pop((list_name, year), None)
            if membership is None:
                ListMembership.objects.create(enterprise=enterprise, list_name=list_name, year=year, rank=rank)
                changed = True
            elif membership.rank != rank:
                membership.rank = rank
                membership.save(update_fields=["rank"])
                changed = True
        for membership in stored.values():
            membership.delete()
            changed = True
        return changed

    # --- 线索 ----------------------------------------------------------------------------------

    def _write_lead(self, row: ParsedRow) -> int | None:
        values = dict(row.values)
        if "enterprise" in values:
            values["enterprise"] = self._id(values["enterprise"], self.enterprise_ids)
        new = row.existing_id is None
        lead = Lead(created_by=self.user) if new else self._stored(Lead, row)
        if lead is None:
            return None
        if _assign(lead, values) or new:
            self._save(lead, LEADS, row, new=new)
        else:
            self.result.counts[LEADS.title].unchanged += 1
        return lead.pk

    # --- 活动 ----------------------------------------------------------------------------------

    def _write_activity(self, row: ParsedRow) -> int | None:
        """Write the activity; returns the lead it is for, if any."""
        values = dict(row.values)
        if "lead" in values:
            values["lead"] = self._id(values["lead"], self.lead_ids)
        if "enterprise" in values:
            values["enterprise"] = self._id(values["enterprise"], self.enterprise_ids)
        new = row.existing_id is None
        activity = Activity(created_by=self.user) if new else self._stored(Activity, row)
        if activity is None:
            return None
        if _assign(activity, values) or new:
            self._save(activity, ACTIVITIES, row, new=new)
        else:
            self.result.counts[ACTIVITIES.title].unchanged += 1
        return activity.lead_id


def _stored_rows(model: type[models.Model], rows: list[ParsedRow]) -> dict[int, models.Model]:
    """The stored objects the rows update, locked until the import's transaction ends."""
    stored = {}
    for chunk in chunks([row.existing_id for row in rows if row.existing_id]):
        stored.update(model.objects.select_for_update().in_bulk(chunk))
    return stored


def _note_last_activities(lead_ids: set[int]) -> None:
    """A lead's last activity date (its staleness, domain.md §10) follows the activities written."""
    for chunk in chunks(sorted(lead_ids)):
        latest = Activity.objects.filter(lead_id__in=chunk).values("lead_id").annotate(last=Max("date"))
        for entry in latest:
            Lead.objects.filter(pk=entry["lead_id"]).exclude(last_activity_on__gte=entry["last"]).update(
                last_activity_on=entry["last"]
            )
