"""Government agencies, a tree along the administrative divisions."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyQuerySet(models.QuerySet):
    def subtree_of(self, agency: Agency) -> AgencyQuerySet:
        """The agency and every agency below it."""
        return self.filter(path__startswith=agency.path)


class Agency(models.Model):
    """A civil-affairs bureau or a township/street office.

    Approvers act within their agency's subtree; ``path`` (ids from the root, "/"
    separated) makes the subtree a prefix query.
    """

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [models.UniqueConstraint(fields=["name", "region"], name="uniq_agency_name_region")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        new_path = (cast(Agency, self.parent).path if self.parent_id else "") + f"{self.pk}/"
        if new_path != self.path:
            old_path, self.path = self.path, new_path
            Agency.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                # Moving an agency moves its subtree with it.
                for child in Agency.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Agency.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])

    def clean(self) -> None:
        # A child agency serves a region inside its parent's region.
        if self.parent_id and self.region_id and not self.region.is_within(cast(Agency, self.parent).region):
            raise ValidationError({"region": _("The region must lie within the parent agency's region.")})
        if self.pk and self.parent_id and cast(Agency, self.parent).path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("An agency cannot be placed under itself.")})

    def is_within(self, other: Agency) -> bool:
        return self.path.startswith(other.path)
