"""China's administrative divisions (GB/T 2260 codes), plus the townships of the
demo county. Loaded from ``regions/data/`` by a data migration; see its SOURCE.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township / street")


LEVEL_DEPTH = {RegionLevel.PROVINCE: 1, RegionLevel.CITY: 2, RegionLevel.COUNTY: 3, RegionLevel.TOWNSHIP: 4}


class RegionQuerySet(models.QuerySet):
    def within(self, region: Region) -> RegionQuerySet:
        """The region itself and every region below it."""
        return self.filter(path__startswith=region.path)

    def search(self, text: str) -> RegionQuerySet:
        """Match a code prefix, or a name/full name containing the text."""
        text = text.strip()
        if not text:
            return self.none()
        if text.isdigit():
            return self.filter(code__startswith=text)
        return self.filter(
            models.Q(name__contains=text)
            | models.Q(full_name__contains=text)
            | models.Q(name_en__icontains=text)
            | models.Q(full_name_en__icontains=text)
        )


class Region(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Codes from the province down, joined by "/" and ending in "/": "within" is a
    # prefix test that any database answers from an index.
    path = models.CharField(max_length=80, db_index=True)
    full_name = models.CharField(_("full name"), max_length=200)
    # In English (``regions/data/romanise.py``): "Dayi County"; "Dayi County, Chengdu City,
    # Sichuan Province", smallest first.
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    full_name_en = models.CharField(_("full name in English"), max_length=400, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=RegionLevel.values), name="region_level_valid"),
        ]

    def __str__(self) -> str:
        return self.local_full_name

    @property
    def local_name(self) -> str:
        """The name in the language of the page (Chinese where no English one is known)."""
        return self.name_en if self.name_en and _english() else self.name

    @property
    def local_full_name(self) -> str:
        return self.full_name_en if self.full_name_en and _english() else self.full_name

    def is_within(self, other: Region) -> bool:
        """True when this region is ``other`` or lies inside it."""
        return self.path.startswith(other.path)

    def ancestors(self) -> list[Region]:
        """From the province down to the parent, without a query per level."""
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def region_is_within(region: Region | None, ancestor: Region | None) -> bool:
    if region is None or ancestor is None:
        return False
    return region.is_within(ancestor)
