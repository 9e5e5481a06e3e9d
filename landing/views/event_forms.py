"""The signing event pages' forms (kept beside their views, landing/forms.py being the milestones'):
one event, linking a project by its code (the event's page), and
choosing a project's event (the project's page).

Who enters an event for which unit: a unit's staff for their own unit (the form has no organiser
field); reviewers for any active unit. Which projects a user may link: linkable_projects
(access.permissions.can_link_signing_event in SQL): a reviewer any project not withdrawn, a unit's
staff those their unit leads. Another project's code is refused like an unknown one.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from access import permissions
from access.roles import access_of
from projects.forms import EARLIEST_SIGNING, OneLineField
from projects.models import Project, Status
from targets.models import Unit

from ..models import EVENT_SIGNING_TOLERANCE_DAYS, SigningEvent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
DAYS_AHEAD = 366
UNKNOWN_PROJECT = "没有编号为「{code}」的项目，或您无权关联它（单位填报员只能关联本单位牵头的项目）。"


def linkable_projects(user) -> QuerySet:
    """The projects `user` may link to an event: permissions.can_link_signing_event in SQL."""
    access = access_of(user)
    projects = Project.objects.visible_to(user).exclude(status=Status.WITHDRAWN)
    return projects if permissions.reviews(access) else projects.filter(lead_unit_id=permissions.staff_unit_id(access))


class SigningEventForm(forms.ModelForm):
    """Enter or correct one event. `user` decides the organiser units offered."""

    class Meta:
        model = SigningEvent
        fields = ["name", "date", "place", "organiser", "note"]
        field_classes = {"name": OneLineField, "place": OneLineField}
        widgets = {"date": DATE, "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": "如「2021年第二季度重大项目集中签约仪式」。",
            "date": f"在活动上签约的项目，签约日期应与活动日期相差不超过 {EVENT_SIGNING_TOLERANCE_DAYS} 天。",
            "note": "可不填。",
        }
        error_messages = {
            "name": {"required": "请填写活动名称。"},
            "date": {"required": "请填写活动日期。", "invalid": "活动日期格式不对，请写成 2021-06-08。"},
            "place": {"required": "请填写活动地点。"},
            "organiser": {"required": "请选择主办单位。", "invalid_choice": "请选择有效的主办单位（启用中的单位）。"},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_of(user)
        event = self.instance
        if permissions.reviews(access):
            units = Unit.objects.filter(Q(is_active=True) | Q(pk=event.organiser_id or 0)).order_by("sort_order", "name")
            self.fields["organiser"].queryset = units
            self.fields["organiser"].empty_label = "请选择主办单位"
        else:
            del self.fields["organiser"]  # staff enter their own unit's events
            if event.pk is None:
                event.organiser = access.unit
        self.fields["date"].input_formats = DATE_FORMATS

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < EARLIEST_SIGNING:
            raise forms.ValidationError("活动日期不能早于 2000 年，请检查年份。")
        latest = timezone.localdate() + datetime.timedelta(days=DAYS_AHEAD)
        if date > latest:
            raise forms.ValidationError(f"活动日期不能晚于 {latest:%Y-%m-%d}（一年之内），请检查年份。")
        return date

    def facts(self) -> dict:
        """The model fields this form sets, as the services take them."""
        facts = {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}
        facts["organiser"] = self.cleaned_data["organiser"] if "organiser" in self.fields else self.instance.organiser
        return facts


class LinkProjectForm(forms.Form):
    """Link a project to an event by its code (项目编号): a list of every project would not fit."""

    code = OneLineField(
        label="项目编号",
        max_length=40,
        error_messages={"required": "请填写要关联的项目编号。"},
        widget=forms.TextInput(attrs={"placeholder": "项目页面上的项目编号"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        project = linkable_projects(self.user).filter(code=code).first()
        if project is None:
            raise forms.ValidationError(UNKNOWN_PROJECT.format(code=code))
        self.project = project
        return code


class EventChoice(forms.ModelChoiceField):
    def label_from_instance(self, event: SigningEvent) -> str:
        return f"{event.date:%Y-%m-%d} {event.name}（{event.place}）"


class ProjectEventForm(forms.Form):
    """Choose the event a project was signed at: those held within the tolerance of its signing date."""

    event = EventChoice(
        label="集中签约活动",
        queryset=SigningEvent.objects.none(),
        required=False,
        empty_label="（未在集中签约活动上签约）",
        error_messages={"invalid_choice": "请选择列出的活动：活动日期须与项目签约日期相差不超过 "
                        f"{EVENT_SIGNING_TOLERANCE_DAYS} 天。"},
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events_near(project.signed_on)


def events_near(signed_on: datetime.date | None) -> QuerySet:
    """The events a project signed on `signed_on` may be linked to (none without a signing date)."""
    if signed_on is None:
        return SigningEvent.objects.none()
    window = datetime.timedelta(days=EVENT_SIGNING_TOLERANCE_DAYS)
    return SigningEvent.objects.filter(date__range=(signed_on - window, signed_on + window)).order_by("date", "pk")
