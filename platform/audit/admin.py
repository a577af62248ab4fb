from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is appended to by `audit.services.record` alone."""

    list_display = ["seq", "at", "actor_label", "action", "object_repr", "outcome", "ip"]
    list_filter = ["outcome"]
    search_fields = ["action", "actor_label", "object_repr"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
