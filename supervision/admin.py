from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import GroupReport, KeyTask, TaskReport


@admin.register(KeyTask)
class KeyTaskAdmin(admin.ModelAdmin):
    list_display = ["year", "number", "title", "action", "lead_text", "responsible_text"]
    list_filter = ["year", "action_number"]
    filter_horizontal = ["lead_units", "responsible_units"]


@admin.register(TaskReport)
class TaskReportAdmin(SimpleHistoryAdmin):
    list_display = ["year", "quarter", "task", "unit", "state", "status", "submitted_at", "overdue_since"]
    list_filter = ["year", "quarter", "state", "status"]
    list_select_related = ["task", "unit"]
    readonly_fields = ["submitted_by", "submitted_at", "first_submitted_at", "returned_by", "returned_at", "overdue_since"]


@admin.register(GroupReport)
class GroupReportAdmin(SimpleHistoryAdmin):
    list_display = ["year", "quarter", "group", "submitted_by", "submitted_at"]
    list_filter = ["year", "quarter"]
    list_select_related = ["group", "submitted_by"]
    readonly_fields = ["figures", "submitted_by", "submitted_at"]
