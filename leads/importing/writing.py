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
from simple_history.utils import bulk_create_with_history

from lib.sql import chunks
from projects.importing import ImportRejected, Problem
from projects.importing.reading import ParsedRow, problems_from
from projects.importing.writing import BATCH, CONFLICT

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
    """New rows are created in batches with their history; changed stored rows are saved one by
    one; rows equal to the stored object are left alone."""

    def __init__(self, *, plan: LeadImportPlan, user):
        self.plan, self.user = plan, user
        self.problems: list[Problem] = []
        self.result = LeadImportResult()

    def write(self) -> None:
        enterprises = self._write_sheet(ENTERPRISES, TargetEnterprise, self.plan.enterprises, self._enterprise_values)
        self._write_enterprise_relations(enterprises)
        self.enterprise_ids = {row: enterprise.pk for row, enterprise in enterprises.items()}
        leads = self._write_sheet(LEADS, Lead, self.plan.leads, self._lead_values)
        self.lead_ids = {row: lead.pk for row, lead in leads.items()}
        activities = self._write_sheet(ACTIVITIES, Activity, self.plan.activities, self._activity_values)
        _note_last_activities({activity.lead_id for activity in activities.values()} - {None})

    def _write_sheet(self, spec: SheetSpec, model: type[models.Model], rows: list[ParsedRow], values_of) -> dict:
        """Each row's object (by Excel row), written; an enterprise whose lists or links change is
        counted as updated even when its own fields do not."""
        stored = _locked(model, rows)
        counts, objects, new = self.result.counts[spec.title], {}, []
        for row in rows:
            instance = model(created_by=self.user) if row.existing_id is None else stored.get(row.existing_id)
            if instance is None:  # deleted since the file was checked
                self.problems.append(Problem(None, None, None, CONFLICT))
                continue
            changed = _assign(instance, values_of(row))
            objects[row.row] = instance
            if (instance.pk is None or changed) and not self._valid(instance, spec, row):
                continue
            if instance.pk is None:
                new.append(instance)
            elif changed:
                instance.save()
                counts.updated += 1
            elif spec is ENTERPRISES and _relations_change(instance, row.values):
                counts.updated += 1
            else:
                counts.unchanged += 1
        if new and not self.problems:
            bulk_create_with_history(new, model, batch_size=BATCH, default_user=self.user)
            counts.created += len(new)
        return objects

    def _valid(self, instance: models.Model, spec: SheetSpec, row: ParsedRow) -> bool:
        try:
            instance.full_clean(exclude=CHECKED_WHEN_READ, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self.problems += problems_from(error, spec=spec, row=row.row)
            return False
        return True

    @staticmethod
    def _enterprise_values(row: ParsedRow) -> dict[str, Any]:
        values = {name: row.values[name] for name in ("name", "credit_code") if name in row.values}
        if "region" in row.values:
            values["province"], values["city"] = row.values["region"]
        return values

    def _lead_values(self, row: ParsedRow) -> dict[str, Any]:
        values = dict(row.values)
        if "enterprise" in values:
            values["enterprise"] = self._id(values["enterprise"], self.enterprise_ids)
        return values

    def _activity_values(self, row: ParsedRow) -> dict[str, Any]:
        values = self._lead_values(row)
        if "lead" in values:
            values["lead"] = self._id(values["lead"], self.lead_ids)
        return values

    @staticmethod
    def _id(ref: Ref | None, written: dict[int, int]) -> int | None:
        if ref is None:
            return None
        return written.get(ref.row) if ref.row is not None else ref.pk

    def _write_enterprise_relations(self, enterprises: dict[int, TargetEnterprise]) -> None:
        """The rows' chain links and list memberships, in a few queries whatever the number of rows.

        A row's links are the enterprise's links; its lists are the enterprise's lists, a stored
        one keeping its source and taking the row's rank."""
        if self.problems:
            return
        Links = TargetEnterprise.chain_links.through
        unlinked, links, memberships, gone, ranked = [], [], [], [], []
        for row in self.plan.enterprises:
            enterprise = enterprises.get(row.row)
            if enterprise is None:
                continue
            new = row.existing_id is None  # its links and lists are none: no query
            if "chain_links" in row.values and (new or set(row.values["chain_links"]) != _stored_links(enterprise)):
                unlinked += [] if new else [enterprise.pk]
                links += [Links(targetenterprise_id=enterprise.pk, chainnode_id=pk) for pk in row.values["chain_links"]]
            if "memberships" in row.values:
                stored = {} if new else {(m.list_name, m.year): m for m in enterprise.memberships.all()}
                for list_name, year, rank in row.values["memberships"]:
                    membership = stored.pop((list_name, year), None)
                    if membership is None:
                        memberships.append(ListMembership(enterprise=enterprise, list_name=list_name, year=year, rank=rank))
                    elif membership.rank != rank:
                        membership.rank = rank
                        ranked.append(membership)
                gone += [membership.pk for membership in stored.values()]
        for chunk in chunks(unlinked):
            Links.objects.filter(targetenterprise_id__in=chunk).delete()
        Links.objects.bulk_create(links, batch_size=BATCH)
        for chunk in chunks(gone):
            ListMembership.objects.filter(pk__in=chunk).delete()
        ListMembership.objects.bulk_create(memberships, batch_size=BATCH)
        ListMembership.objects.bulk_update(ranked, ["rank"], batch_size=BATCH)


def _locked(model: type[models.Model], rows: list[ParsedRow]) -> dict[int, models.Model]:
    """The stored objects the rows update, locked until the import's transaction ends (an
    enterprise with its links and lists)."""
    queryset = model.objects.select_for_update()
    if model is TargetEnterprise:
        queryset = queryset.prefetch_related("chain_links", "memberships")
    stored = {}
    for chunk in chunks([row.existing_id for row in rows if row.existing_id]):
        stored.update(queryset.in_bulk(chunk))
    return stored


def _stored_links(enterprise: TargetEnterprise) -> set[int]:
    """A stored enterprise's links, prefetched by _locked."""
    return {link.pk for link in enterprise.chain_links.all()}


def _relations_change(enterprise: TargetEnterprise, values: dict) -> bool:
    """Whether a row changes a stored enterprise's links or lists (prefetched by _locked)."""
    if "chain_links" in values and set(values["chain_links"]) != _stored_links(enterprise):
        return True
    if "memberships" in values:
        stored = {(m.list_name, m.year, m.rank) for m in enterprise.memberships.all()}
        return stored != set(values["memberships"])
    return False


def _note_last_activities(lead_ids: set[int]) -> None:
    """A lead's last activity date (its staleness, domain.md §10) follows the activities written:
    one update per distinct date."""
    leads_by_date: dict = {}
    for chunk in chunks(sorted(lead_ids)):
        latest = Activity.objects.filter(lead_id__in=chunk).values("lead_id").annotate(last=Max("date"))
        for entry in latest:
            leads_by_date.setdefault(entry["last"], []).append(entry["lead_id"])
    for date, ids in leads_by_date.items():
        for chunk in chunks(ids):
            Lead.objects.filter(pk__in=chunk).exclude(last_activity_on__gte=date).update(last_activity_on=date)
