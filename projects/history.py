"""A project's change history as people read it: when, who, what happened, which field, old → new.

django-simple-history keeps a full copy of the project, of each cooperation and of each
arrival and milestone at every save; this turns consecutive copies into the fields that changed, with
choice labels and unit, group and user names rather than codes and ids. A save that moved
the project's status is a step of the review workflow and is named so (提交, 退回 with its
reason, 审核通过, 撤回), as is an arrival's verification (核实); any other save is a 修改
with its field changes. Seven queries at most, whatever the number of records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from access.roles import display_name
from landing.models import Milestone
from groups.models import SpecialGroup
from lib import display
from targets.history import changed_fields
from targets.models import Unit

from .models import Arrival, Cooperation, Project, Status, SupplementaryAgreement

# What a reader cares about; bookkeeping (timestamps, version, stored file path) is left out.
PROJECT_FIELDS = (*Project.FACTS, "status", "return_reason")
COOPERATION_FIELDS = ("unit",)
ARRIVAL_FIELDS = ("arrived_on", "amount", "note", "evidence_name", "verified", "verified_by")
MILESTONE_FIELDS = ("planned_on", "actual_on", "evidence_name", "verified", "verified_by")
AGREEMENT_FIELDS = ("signed_on", "amount", "note", "evidence_name", "verified", "verified_by")

ACTIONS = {
    Project: {"+": "新建", "~": "修改", "-": "删除"},
    Cooperation: {"+": "添加", "~": "修改", "-": "移除"},
    Arrival: {"+": "登记", "~": "修改", "-": "删除"},
    Milestone: {"+": "填报", "~": "修改", "-": "删除"},
    SupplementaryAgreement: {"+": "登记", "~": "修改", "-": "删除"},
}
# A change of status is a workflow step, named by the status it reaches (from whichever it
# left: an import can send an approved project back to review or approve a draft).
STATUS_EVENTS = {
    Status.SUBMITTED: "提交",
    Status.RETURNED: "退回",
    Status.APPROVED: "审核通过",
    Status.WITHDRAWN: "撤回",
}
VERIFIED = "核实"
# What the event's name already says, so not listed again among the changed fields.
EVENT_FIELDS = {
    Project: ("status", "return_reason"),
    Arrival: ("verified", "verified_by"),
    Milestone: ("verified", "verified_by"),
    SupplementaryAgreement: ("verified", "verified_by"),
}
EMPTY = "（空）"
PROJECT = "项目"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: datetime.datetime
    who: str
    action: str  # 新建 / 修改 / 删除 / 添加 / 移除 / 登记, or an event: 提交 / 退回 / 审核通过 / 撤回 / 核实
    subject: str  # 项目 / 配合单位「…」 / 到位资金（日期，金额）
    changes: tuple[FieldChange, ...]
    is_event: bool = False  # a workflow step or a verification rather than an edit
    reason: str = ""  # a return's reason

    @property
    def label(self) -> str:
        """What happened as the page says it: 修改项目, 核实到位资金（…）; a workflow step of the
        project itself by its name alone (审核通过, not 审核通过项目)."""
        if self.is_event and self.subject == PROJECT:
            return self.action
        return f"{self.action}{self.subject}"


@dataclass(frozen=True)
class _Source:
    model: type[models.Model]
    fields: tuple[str, ...]
    records: list


def project_history(project: Project) -> list[HistoryRow]:
    """Every create, change and delete of the project, its cooperating units, its arrivals, its
    milestones (landing) and its supplementary agreements, newest first."""
    sources = [
        _Source(Project, PROJECT_FIELDS, _records(Project.history.filter(id=project.pk))),
        _Source(Cooperation, COOPERATION_FIELDS, _records(Cooperation.history.filter(project_id=project.pk))),
        _Source(Arrival, ARRIVAL_FIELDS, _records(Arrival.history.filter(project_id=project.pk))),
        _Source(Milestone, MILESTONE_FIELDS, _records(Milestone.history.filter(project_id=project.pk))),
        _Source(
            SupplementaryAgreement,
            AGREEMENT_FIELDS,
            _records(SupplementaryAgreement.history.filter(project_id=project.pk)),
        ),
    ]
    names = _Names.for_sources(sources)
    rows = []
    for source in sources:
        previous: dict[int, object] = {}
        for record in source.records:
            row = _row(source, record, previous.get(record.id), names)
            previous[record.id] = record
            if row is not None:
                rows.append((record.history_date, record.history_id, row))
    rows.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [row for _date, _id, row in rows]


def _records(queryset) -> list:
    return list(queryset.select_related("history_user").order_by("history_date", "history_id"))


def _row(source: _Source, record, previous, names: "_Names") -> HistoryRow | None:
    kind, model = record.history_type, source.model
    event = ""
    if kind == "~" and previous is not None:
        event = _event(model, previous, record)
        told = EVENT_FIELDS[model] if event else ()
        changes = tuple(
            FieldChange(_label(model, name), names.show(model, name, previous), names.show(model, name, record))
            for name in changed_fields(previous, record, source.fields)
            if name not in told
        )
        if not changes and not event:
            return None  # a save that changed only bookkeeping (e.g. the version)
    elif kind == "-" or source.model is Cooperation:
        changes = ()  # the subject says it all: which unit was added or removed
    else:
        changes = tuple(
            FieldChange(_label(source.model, name), "", names.show(source.model, name, record))
            for name in source.fields
            if _value(source.model, name, record) not in (None, "", False)
        )
    return HistoryRow(
        when=record.history_date,
        who=display_name(record.history_user),
        action=event or ACTIONS[model].get(kind, kind),
        subject=_subject(model, record, names),
        changes=changes,
        is_event=bool(event),
        reason=record.return_reason if event == STATUS_EVENTS[Status.RETURNED] else "",
    )


def _event(model, previous, record) -> str:
    """The workflow step or verification a save was, from what it changed; "" for an edit."""
    if model is Project and record.status != previous.status:
        return STATUS_EVENTS.get(record.status, "")
    if model in (Arrival, Milestone, SupplementaryAgreement) and record.verified and not previous.verified:
        return VERIFIED
    return ""


def _subject(model, record, names: "_Names") -> str:
    if model is Cooperation:
        return f"配合单位「{names.show(Cooperation, 'unit', record)}」"
    if model is Milestone:
        return f"节点「{record.get_kind_display()}」"
    if model is Arrival:
        return f"到位资金（{record.arrived_on:%Y-%m-%d}，{display.plain(record.amount)} 亿元）"
    if model is SupplementaryAgreement:
        return f"补充协议（{record.signed_on:%Y-%m-%d}，{display.plain(record.amount)} 亿元）"
    return PROJECT


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _value(model, name: str, record):
    return getattr(record, model._meta.get_field(name).attname)


class _Names:
    """Names for the ids the records hold: one query per model referred to."""

    def __init__(self, units: dict, groups: dict, users: dict):
        self.by_model = {Unit: units, SpecialGroup: groups, get_user_model(): users}

    @classmethod
    def for_sources(cls, sources: list[_Source]) -> "_Names":
        wanted: dict[type, set] = {}
        for source in sources:
            for name in source.fields:
                field = source.model._meta.get_field(name)
                if field.is_relation:
                    ids = wanted.setdefault(field.related_model, set())
                    ids.update(_value(source.model, name, record) for record in source.records)
        fetched = {}
        for model in (Unit, SpecialGroup, get_user_model()):
            ids = wanted.get(model, set()) - {None}
            fetched[model] = model._default_manager.in_bulk(ids) if ids else {}
        return cls(fetched[Unit], fetched[SpecialGroup], fetched[get_user_model()])

    def show(self, model, name: str, record) -> str:
        field = model._meta.get_field(name)
        value = _value(model, name, record)
        if value is None or value == "":
            return EMPTY
        if field.is_relation:
            target = self.by_model.get(field.related_model, {}).get(value)
            if target is None:
                return f"（已删除 #{value}）"
            return display_name(target) if field.related_model is get_user_model() else str(target)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            return display.plain(value)
        if isinstance(value, datetime.datetime):
            return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m-%d}"
        return str(value)
