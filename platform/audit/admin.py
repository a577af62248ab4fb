from django.contrib import admin

from audit.models import AuditEntry
from core.admin import ReadOnlyAdminMixin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the log is appended to by `audit.services.record` alone."""

    list_display = ["seq", "at", "actor_label", "action", "object_repr", "outcome", "ip"]
    list_filter = ["outcome"]
    search_fields = ["action", "actor_label", "object_repr"]
