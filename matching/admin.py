from django.contrib import admin

from matching.models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """The field's vocabulary. A change takes effect at the next search: synonyms widen
    the query, so nothing needs re-indexing."""

    list_display = ["__str__", "note", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["terms", "note"]
