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
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    borough = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Its borough (a borough's own)",
    )
    ics = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField(null=True, blank=True)
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    imd_rank = models.PositiveIntegerField(
        null=True, blank=True, help_text="IMD 2019 rank in England, 1 = most deprived"
    )
    imd_domains = models.JSONField(
        null=True, blank=True, help_text='IMD 2019 domains: {"income": {"rank": r, "decile": d}, ...}'
    )
    ods_code = models.CharField(max_length=8, blank=True, help_text="NHS ODS code (integrated care boards)")
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
        "imd_rank": C.PUBLIC,
        "imd_domains": C.PUBLIC,
        "ods_code": C.PUBLIC,
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


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class AgeBand(models.TextChoices):
    """The broad bands of the ONS small-area population estimates."""

    AGE_0_15 = "0-15", "0 to 15"
    AGE_16_29 = "16-29", "16 to 29"
    AGE_30_44 = "30-44", "30 to 44"
    AGE_45_64 = "45-64", "45 to 64"
    AGE_65_PLUS = "65+", "65 and over"


class AreaPopulation(models.Model):
    """Population by sex and broad age band (ONS mid-year estimates), the denominators for rates."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="population_bands")
    year = models.PositiveSmallIntegerField(help_text="Mid-year of the estimate")
    sex = models.CharField(max_length=6, choices=Sex.choices)
    age_band = models.CharField(max_length=5, choices=AgeBand.choices)
    count = models.PositiveIntegerField()

    data_classification: ClassVar[dict[str, Classification]] = {
        "area": C.PUBLIC,
        "year": C.PUBLIC,
        "sex": C.PUBLIC,
        "age_band": C.PUBLIC,
        "count": C.PUBLIC,
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "sex", "age_band"], name="area_population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.sex} {self.age_band}: {self.count}"


class LsoaLink(models.Model):
    """How a 2011 LSOA and a 2021 LSOA overlap (most are the same area; some were split, merged or redrawn).

    Shares are of each area's land, computed from the boundaries; generalisation slivers are left out.
    """

    lsoa11 = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="links_to_2021")
    lsoa21 = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="links_to_2011")
    share_of_lsoa11 = models.FloatField()
    share_of_lsoa21 = models.FloatField()

    data_classification: ClassVar[dict[str, Classification]] = {
        "lsoa11": C.PUBLIC,
        "lsoa21": C.PUBLIC,
        "share_of_lsoa11": C.PUBLIC,
        "share_of_lsoa21": C.PUBLIC,
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lsoa11", "lsoa21"], name="lsoa_link_unique")]

    def __str__(self) -> str:
        return f"{self.lsoa11_id} ~ {self.lsoa21_id}"


class Postcode(models.Model):
    """One postcode from the ONS Postcode Directory, with its areas (null outside the region)."""

    postcode = models.CharField(max_length=8, unique=True, help_text='Normalised, e.g. "E1 6AN"')
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lsoa11 = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lsoa21 = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    msoa21 = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    borough = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    in_region = models.BooleanField(default=True)
    terminated_on = models.DateField(
        null=True, blank=True, help_text="Set when a later directory terminated a postcode loaded before"
    )

    data_classification: ClassVar[dict[str, Classification]] = {
        "postcode": C.PUBLIC,
        "lat": C.PUBLIC,
        "lon": C.PUBLIC,
        "lsoa11": C.PUBLIC,
        "lsoa21": C.PUBLIC,
        "msoa21": C.PUBLIC,
        "borough": C.PUBLIC,
        "in_region": C.PUBLIC,
        "terminated_on": C.PUBLIC,
    }

    def __str__(self) -> str:
        return self.postcode
