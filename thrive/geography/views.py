"""Staff area pages: the region's integrated care systems and boroughs, and a page per area with its children,
population by age and sex, deprivation and a boundary map (its tables are the accessible alternative)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from thrive.accounts.decorators import staff_required
from thrive.accounts.permissions import Permission
from thrive.geography.models import AgeBand, Area, AreaLevel, AreaPopulation, LsoaLink, Sex
from thrive.geography.sources import IMD_DOMAINS, POPULATION_YEAR

DETAIL = ("boundary", "imd_domains")
L = AreaLevel
CHILD_LEVELS = {
    L.REGION: (L.ICS, L.BOROUGH),
    L.ICS: (L.BOROUGH, L.MSOA21),
    L.BOROUGH: (L.MSOA21, L.LSOA11, L.LSOA21),
    L.MSOA21: (L.LSOA21,),
    L.LSOA11: (),
    L.LSOA21: (),
}
PLURAL = {
    L.REGION: "Regions",
    L.ICS: "Integrated care systems",
    L.BOROUGH: "Boroughs",
    L.MSOA21: "MSOAs (2021)",
    L.LSOA11: "LSOAs (2011)",
    L.LSOA21: "LSOAs (2021)",
}
MOST_DEPRIVED = 2  # deciles 1-2: the 20% most deprived LSOAs in England


def _area_or_404(level: str, code: str) -> Area:
    if level not in L.values:
        raise Http404("No such area level")
    area = Area.objects.defer("boundary").filter(level=level, code=code.upper()).first()
    if area is None:
        raise Http404("No such area")
    return area


def _url(area: Area) -> str:
    return reverse("geography:area", kwargs={"level": area.level, "code": area.code})


def _descendants(area: Area, level: str) -> QuerySet[Area]:
    """Areas at `level` inside `area`, by the links the loader keeps (each area knows its ICS and borough)."""
    areas = Area.objects.filter(level=level)
    if area.level == L.REGION:
        return areas.filter(ics__parent=area)
    if area.level == L.ICS:
        return areas.filter(ics=area)
    if area.level == L.BOROUGH:
        return areas.filter(borough=area)
    return areas.filter(parent=area)


def _deprivation_summary(lsoas: QuerySet[Area]) -> dict[str, Any]:
    """How many of the LSOAs (2011), and how much of their population, fall in each IMD decile."""
    counts: dict[int | None, tuple[int, int]] = {
        decile: (n, people or 0)
        for decile, n, people in lsoas.exclude(imd_decile=None)
        .values("imd_decile")
        .annotate(n=Count("id"), people=Sum("population"))
        .values_list("imd_decile", "n", "people")
    }
    total = sum(people for _, people in counts.values())
    deciles = [
        {
            "decile": decile,
            "lsoas": counts.get(decile, (0, 0))[0],
            "population": counts.get(decile, (0, 0))[1],
            "share": counts.get(decile, (0, 0))[1] / total if total else 0.0,
        }
        for decile in range(1, 11)
    ]
    most = sum(people for decile, (_, people) in counts.items() if decile and decile <= MOST_DEPRIVED)
    return {"deciles": deciles, "most_deprived_share": most / total if total else None}


def _population_table(area: Area) -> list[dict[str, Any]]:
    counts = {
        (row.sex, row.age_band): row.count
        for row in AreaPopulation.objects.filter(area=area, year=POPULATION_YEAR)
    }
    if not counts:
        return []
    rows: list[dict[str, Any]] = []
    for band in AgeBand:
        female, male = counts.get((Sex.FEMALE, band), 0), counts.get((Sex.MALE, band), 0)
        rows.append({"band": band.label, "female": female, "male": male, "all": female + male})
    rows.append(
        {
            "band": "All ages",
            "female": sum(row["female"] for row in rows),
            "male": sum(row["male"] for row in rows),
            "all": sum(row["all"] for row in rows),
        }
    )
    return rows


def _ancestors(area: Area) -> list[Area]:
    chain, seen = [], {area.pk}
    parent_id = area.parent_id
    while parent_id and parent_id not in seen:
        parent = Area.objects.defer(*DETAIL).get(pk=parent_id)
        chain.append(parent)
        seen.add(parent.pk)
        parent_id = parent.parent_id
    return list(reversed(chain))


@staff_required(Permission.AREAS_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """The region's integrated care systems, each with its boroughs' population and deprivation."""
    areas = list(Area.objects.filter(level__in=[L.REGION, L.ICS, L.BOROUGH]).defer(*DETAIL).order_by("name"))
    lsoa_stats: dict[int | None, dict[str, Any]] = {
        row["borough_id"]: dict(row)
        for row in Area.objects.filter(level=L.LSOA11)
        .values("borough_id")
        .annotate(
            n=Count("id"),
            people=Sum("population"),
            deprived=Sum("population", filter=Q(imd_decile__lte=MOST_DEPRIVED)),
        )
    }
    systems: list[dict[str, Any]] = []
    for ics in (area for area in areas if area.level == L.ICS):
        boroughs = []
        for borough in (area for area in areas if area.level == L.BOROUGH and area.ics_id == ics.pk):
            stats = lsoa_stats.get(borough.pk, {})
            people = stats.get("people") or 0
            boroughs.append(
                {
                    "area": borough,
                    "url": _url(borough),
                    "lsoas": stats.get("n", 0),
                    "most_deprived_share": (stats.get("deprived") or 0) / people if people else None,
                }
            )
        systems.append({"area": ics, "url": _url(ics), "boroughs": boroughs})
    region = next((area for area in areas if area.level == L.REGION), None)
    map_url = (
        reverse("geography:geojson", kwargs={"level": region.level, "code": region.code}) + "?show=borough"
        if region
        else ""
    )
    return render(
        request,
        "geography/index.jinja",
        {
            "page_title": "Areas",
            "region": region,
            "systems": systems,
            "borough_count": sum(len(system["boroughs"]) for system in systems),
            "map_url": map_url,
        },
    )


@staff_required(Permission.AREAS_VIEW)
def area(request: HttpRequest, level: str, code: str) -> HttpResponse:
    """One area: where it sits, what it contains, its population and deprivation, and a map."""
    place = _area_or_404(level, code)
    children: list[dict[str, Any]] = []
    for child_level in CHILD_LEVELS[L(place.level)]:
        rows = list(_descendants(place, child_level).defer(*DETAIL).order_by("code"))
        children.append(
            {"level": child_level, "title": PLURAL[child_level], "rows": [(a, _url(a)) for a in rows]}
        )
    map_levels: list[AreaLevel] = [group["level"] for group in children if group["rows"]]
    show = request.GET.get("map", map_levels[0] if map_levels else "")
    if show not in map_levels:
        show = map_levels[0] if map_levels else ""
    geojson_url = reverse("geography:geojson", kwargs={"level": place.level, "code": place.code})
    links: list[tuple[Area, str, float]] = []
    if place.level == L.LSOA11:
        for link in LsoaLink.objects.filter(lsoa11=place).select_related("lsoa21").order_by("lsoa21__code"):
            links.append((link.lsoa21, _url(link.lsoa21), link.share_of_lsoa11))
    elif place.level == L.LSOA21:
        for link in LsoaLink.objects.filter(lsoa21=place).select_related("lsoa11").order_by("lsoa11__code"):
            links.append((link.lsoa11, _url(link.lsoa11), link.share_of_lsoa21))
    has_lsoa11 = place.level in (L.REGION, L.ICS, L.BOROUGH)
    ancestors = [(a, _url(a)) for a in _ancestors(place)]
    context = {
        "page_title": place.name,
        "area": place,
        "level_label": L(place.level).label,
        "ancestors": ancestors,
        "crumbs": [{"href": reverse("geography:index"), "text": "Areas"}]
        + [{"href": href, "text": a.name} for a, href in ancestors],
        "children": children,
        "links": links,
        "population_rows": _population_table(place),
        "population_year": POPULATION_YEAR,
        "domains": [
            (label, (place.imd_domains or {}).get(key)) for key, label in IMD_DOMAINS.items() if key != "imd"
        ],
        "deprivation": _deprivation_summary(_descendants(place, L.LSOA11)) if has_lsoa11 else None,
        "map_levels": [(lvl, PLURAL[lvl]) for lvl in map_levels],
        "map_show": show,
        "map_url": geojson_url + (f"?show={show}" if show else ""),
    }
    return render(request, "geography/area.jinja", context)


@staff_required(Permission.AREAS_VIEW)
def geojson(request: HttpRequest, level: str, code: str) -> JsonResponse:
    """The area's boundary and, with `?show=LEVEL`, those of the areas at that level inside it."""
    place = Area.objects.filter(level=level, code=code.upper()).first() if level in L.values else None
    if place is None:
        raise Http404("No such area")
    areas = [("area", place)]
    show = request.GET.get("show", "")
    if show:
        if show not in CHILD_LEVELS[L(place.level)]:
            return JsonResponse(
                {"errors": {"show": [f"Choose one of: {', '.join(CHILD_LEVELS[L(place.level)])}."]}},
                status=400,
            )
        areas += [
            ("child", child) for child in _descendants(place, show).defer("imd_domains").order_by("code")
        ]
    features = [
        {
            "type": "Feature",
            "geometry": item.boundary,
            "properties": {
                "role": role,
                "code": item.code,
                "name": item.name,
                "level": item.level,
                "url": _url(item),
                "population": item.population,
                "imd_decile": item.imd_decile,
            },
        }
        for role, item in areas
        if item.boundary
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=3600"
    return response
