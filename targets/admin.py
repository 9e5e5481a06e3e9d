from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

from .models import FiveYearGoal, Membership, Organisation, RuleSet, Unit, UnitTarget


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(RuleSet)
class RuleSetAdmin(SimpleHistoryAdmin):
    list_display = ["year", "major_investment", "large_investment", "key_investment", "lead_share", "rate_cap"]


@admin.register(UnitTarget)
class UnitTargetAdmin(SimpleHistoryAdmin):
    list_display = [
        "year",
        "unit",
        "major_projects",
        "large_projects",
        "key_projects",
        "agreement_capital",
        "non_industrial_agreement_capital",
        "arrived_capital",
    ]
    list_filter = ["year", "unit__kind"]
    list_select_related = ["unit"]


@admin.register(FiveYearGoal)
class FiveYearGoalAdmin(admin.ModelAdmin):
    list_display = ["name", "start_year", "end_year", "annual_agreement_capital", "total_agreement_capital"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The one record: it can be edited, or added while there is none, never deleted or doubled."""

    list_display = ["system_title", "district", "city", "issuer", "code_prefix"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organisation.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = True
    verbose_name = "所属单位（单位填报员必填）"
    verbose_name_plural = verbose_name


class UserWithUnitAdmin(UserAdmin):
    inlines = [MembershipInline]


admin.site.unregister(User)
admin.site.register(User, UserWithUnitAdmin)
