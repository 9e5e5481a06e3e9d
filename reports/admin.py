from django.contrib import admin

from .models import Bulletin, GenerationJob, Notification


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: bulletins are generated and published on the reports page, never edited."""

    list_display = ["__str__", "year", "quarter", "state", "generated_at", "published_at", "published_by"]
    list_filter = ["state", "year"]
    fields = ["year", "quarter", "state", "generated_at", "generated_by", "published_at", "published_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).without_documents()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "year", "quarter", "state", "requested_by", "requested_at", "finished_at", "outcome"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in GenerationJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "user", "created_at", "read_at"]
    list_filter = ["read_at"]
