from django.contrib import admin

from .models import Commissioner, Person, SpecialGroup


class CommissionerInline(admin.TabularInline):
    model = Commissioner
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(SpecialGroup)
class SpecialGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "leader", "landing_units_text"]
    list_select_related = ["leader"]
    inlines = [CommissionerInline]
    filter_horizontal = ["landing_units"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "title"]
    search_fields = ["name", "title"]
