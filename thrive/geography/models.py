"""London's areas (ONS codes) with boundaries, population and deprivation, and the postcode table."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from thrive.core.classification import C, Classification


class AreaLevel(models.TextChoices):
    REGION = "region", "Region"
    ICS = "ics", "Integrated care system"
    BOROUGH = "borough", "Borough"
    MSOA21 = "msoa21", "Middle layer super output area (2021)"
    LSOA11 = "lsoa11", "Lower layer super output area (2011)"
    LSOA21 = "lsoa21", "Lower layer super output area (2021)"


class Area(models.Model):
    """One ONS area. LSOA 2011 and 2021 codes overlap, so a code is unique only within its level."""

    level = models.CharField(max_length=8, choices=AreaLevel.choices)
    code = models.CharField(max_length=12)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    borough = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Its borough (a borough's own)"
    )
    ics = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField(null=True, blank=True)
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry, WGS84")

    data_classification: ClassVar[dict[str, Classification]] = {
        "level": C.PUBLIC,
        "code": C.PUBLIC,
        "name": C.PUBLIC,
        "parent": C.PUBLIC,
        "borough": C.PUBLIC,
        "ics": C.PUBLIC,
        "population": C.PUBLIC,
        "imd_decile": C.PUBLIC,
        "centroid_lat": C.PUBLIC,
        "centroid_lon": C.PUBLIC,
        "boundary": C.PUBLIC,
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="area_level_code_unique")]
        indexes = [models.Index(fields=["code"])]
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
