"""Substances: free terms in, controlled vocabulary out. Known synonyms map to one name; an unknown term is
kept (lower-cased, trimmed) and flagged as new, because a new term is exactly the emerging-substance signal
detection looks for. The vocabulary lives here (reviewed in code), and its rows are made on first use."""

from __future__ import annotations

import re

from thrive.surveillance.models import Substance

# Canonical name → synonyms and brand names (all compared lower-case, single-spaced).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "paracetamol": ("acetaminophen", "panadol", "calpol", "co-codamol (paracetamol)"),
    "ibuprofen": ("nurofen", "brufen"),
    "aspirin": ("acetylsalicylic acid",),
    "codeine": ("co-codamol", "codeine phosphate"),
    "tramadol": ("zydol",),
    "morphine": ("oramorph", "morphine sulphate"),
    "oxycodone": ("oxycontin", "oxynorm"),
    "methadone": ("physeptone",),
    "heroin": ("diamorphine", "diacetylmorphine"),
    "fentanyl": ("fentanyl patch",),
    "buprenorphine": ("subutex", "suboxone"),
    "diazepam": ("valium",),
    "alprazolam": ("xanax",),
    "benzodiazepine (unspecified)": ("benzodiazepines", "benzos"),
    "zopiclone": ("zimovane",),
    "pregabalin": ("lyrica",),
    "gabapentin": ("neurontin",),
    "amitriptyline": (),
    "sertraline": (),
    "citalopram": (),
    "fluoxetine": ("prozac",),
    "mirtazapine": (),
    "antidepressant (unspecified)": ("antidepressants",),
    "quetiapine": ("seroquel",),
    "olanzapine": (),
    "lithium": (),
    "insulin": (),
    "alcohol": ("ethanol",),
    "cocaine": ("crack cocaine",),
    "amphetamine": ("speed",),
    "mdma": ("ecstasy",),
    "ketamine": (),
    "carbon monoxide": ("co",),
    "cannabis": ("synthetic cannabinoid", "spice"),
    "gas (unspecified)": (),
}


def _clean(term: str) -> str:
    return re.sub(r"\s+", " ", term.strip().lower())


_LOOKUP = {_clean(name): name for name in VOCABULARY}
_LOOKUP.update({_clean(synonym): name for name, synonyms in VOCABULARY.items() for synonym in synonyms})


def canonical(term: str) -> tuple[str, bool]:
    """(the vocabulary name, known?) for a reported term."""
    cleaned = _clean(term)
    if cleaned in _LOOKUP:
        return _LOOKUP[cleaned], True
    return cleaned[:100], False


def normalise(terms: list[str]) -> list[str]:
    """Reported terms as vocabulary names, in order, without repeats."""
    names: list[str] = []
    for term in terms:
        name, _ = canonical(term)
        if name and name not in names:
            names.append(name)
    return names


def substances_for(names: list[str]) -> list[Substance]:
    """The rows for these names, making them when first seen (unknown names are flagged as new)."""
    existing = {s.name: s for s in Substance.objects.filter(name__in=names)}
    rows = []
    for name in names:
        row = existing.get(name)
        if row is None:
            known = name in VOCABULARY
            row, _ = Substance.objects.get_or_create(
                name=name, defaults={"is_new": not known, "synonyms": list(VOCABULARY.get(name, ()))}
            )
        rows.append(row)
    return rows
