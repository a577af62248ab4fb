from django.contrib import admin

from organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "kind", "vetting_state", "approved_until", "public_fundraising"]
    list_filter = ["kind", "vetting_state", "public_fundraising"]
    search_fields = ["legal_name", "uscc"]
    autocomplete_fields = ["region", "service_regions"]
