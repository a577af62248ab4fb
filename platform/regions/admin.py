from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from regions.models import Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reference data from GB/T 2260: searchable, never edited by hand."""

    list_display = ["code", "full_name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name", "full_name"]
