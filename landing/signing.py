"""Operations on signing events (集中签约活动): enter and correct an event, link a project signed at
it, unlink one.

Each write calls `full_clean()` (the rules are SigningEventProject.clean and event_date_problem)
and records its author in the history. Permissions are the views' business
(access.permissions.can_edit_signing_event, can_link_signing_event); these functions check the
objects' state. The projects app reads landing (a project's stage), so this module names a
project only through the link's relation, never by importing projects.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from .models import EVENT_SIGNING_TOLERANCE_DAYS, SigningEvent, SigningEventProject, event_date_problem


def create_event(*, user: AbstractBaseUser, facts: dict) -> SigningEvent:
    event = SigningEvent(**facts, created_by=user)
    event.full_clean()
    _save(event, user=user)
    return event


def update_event(*, event: SigningEvent, user: AbstractBaseUser, facts: dict) -> SigningEvent:
    """Correct an event. A new date must still suit every project linked to it (event_date_problem)."""
    with transaction.atomic():
        locked = SigningEvent.objects.select_for_update().get(pk=event.pk)
        for name, value in facts.items():
            setattr(locked, name, value)
        locked.full_clean()
        if locked.date != event.date:
            _check_linked_projects(locked)
        _save(locked, user=user)
    return locked


def _check_linked_projects(event: SigningEvent) -> None:
    # A count, not the codes: the organiser's staff may not see every project linked to it.
    signed = event.project_links.values_list("project__signed_on", flat=True)
    far = sum(1 for signed_on in signed if event_date_problem(event.date, signed_on))
    if far:
        raise ValidationError(
            {
                "date": f"改为 {event.date:%Y-%m-%d} 后，已关联的 {far} 个项目的签约日期与活动日期相差超过 "
                f"{EVENT_SIGNING_TOLERANCE_DAYS} 天：请检查日期，或先在活动页面取消这些项目的关联。"
            }
        )


def link_project(
    *, event: SigningEvent, project: models.Model, user: AbstractBaseUser, replace: bool = False
) -> SigningEventProject:
    """Link `project` to `event`. A project linked to another event is refused, unless `replace`
    (the project page's choice of its event), which moves it. ValidationError with the reason."""
    with transaction.atomic():
        current = SigningEventProject.objects.select_for_update().filter(project=project).select_related("event").first()
        if current is not None and current.event_id == event.pk:
            raise ValidationError(f"项目「{project.code} {project.name}」已关联该活动。")
        if current is not None and not replace:
            raise ValidationError(
                f"项目「{project.code} {project.name}」已关联集中签约活动「{current.event}」：一个项目只能在一个活动上签约；"
                "如需更改，请先在原活动中取消关联。"
            )
        link = SigningEventProject(event=event, project=project, linked_by=user)
        link.full_clean(validate_unique=False)  # the one-event rule is checked above, with a message
        if current is not None:
            _delete(current, user=user)
        try:
            with transaction.atomic():
                _save(link, user=user)
        except IntegrityError:
            # Linked meanwhile by someone else.
            raise ValidationError(f"项目「{project.code} {project.name}」刚被关联到另一个活动，请刷新页面后查看。") from None
    return link


def unlink_project(*, link: SigningEventProject, user: AbstractBaseUser) -> None:
    _delete(link, user=user)


def _save(record, *, user: AbstractBaseUser) -> None:
    record._history_user = user
    record.save()


def _delete(record, *, user: AbstractBaseUser) -> None:
    record._history_user = user
    record.delete()
