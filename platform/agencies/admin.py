from django.contrib import admin

from agencies.models import Agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "parent", "is_active"]
    search_fields = ["name", "region__full_name"]
    autocomplete_fields = ["region", "parent"]
    readonly_fields = ["path"]
