from __future__ import annotations


class ReadOnlyAdminMixin:
    """For data nobody edits by hand in the admin: reference data and the audit log."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
