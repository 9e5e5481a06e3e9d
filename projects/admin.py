from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Arrival, Cooperation, Project, SupplementaryAgreement


class CooperationInline(admin.TabularInline):
    model = Cooperation
    extra = 0


class ArrivalInline(admin.TabularInline):
    model = Arrival
    extra = 0
    fields = ["arrived_on", "amount", "note", "verified"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "lead_unit", "sector", "origin", "agreement_capital", "signed_on", "status"]
    list_filter = ["status", "sector", "origin", "lead_unit", "group"]
    list_select_related = ["lead_unit"]
    search_fields = ["code", "name", "investor"]
    date_hierarchy = "signed_on"
    readonly_fields = ["created_at", "updated_at", "version"]
    inlines = [CooperationInline, ArrivalInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        project = form.instance
        # The inline wrote the rows; this keeps the stored count the ranking uses in step.
        project.set_cooperating_units([c.unit_id for c in project.cooperations.order_by("pk")], user=request.user)


@admin.register(Arrival)
class ArrivalAdmin(SimpleHistoryAdmin):
    list_display = ["project", "arrived_on", "amount", "verified"]
    list_select_related = ["project"]
    list_filter = ["verified"]
    date_hierarchy = "arrived_on"


@admin.register(SupplementaryAgreement)
class SupplementaryAgreementAdmin(SimpleHistoryAdmin):
    list_display = ["project", "signed_on", "amount", "verified"]
    list_select_related = ["project"]
    list_filter = ["verified"]
    date_hierarchy = "signed_on"
