"""The anonymous self-check (PHQ-9 for mood, GAD-7 for anxiety), scored by the shared measure registry.

Nothing about the person is stored or logged: answers arrive in a POST (never in an address), are scored in
memory, and the page is marked no-store. The only trace is an anonymous count per day. If PHQ-9 question 9
(thoughts of being better off dead or of self-harm) is answered above 0, crisis support comes first on the
result page, whatever the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from thrive.directory import places, search, services
from thrive.directory.caching import mark_private
from thrive.directory.taxonomy import ServiceType
from thrive.outcomes.measures import Measure, registry

SELF_CHECKS = {
    "phq9": ("Check your mood", "PHQ-9", "depression"),
    "gad7": ("Check for anxiety", "GAD-7", "anxiety"),
}
BAND_TEXT = {
    "none-minimal": "few or no symptoms of {condition}",
    "mild": "mild symptoms of {condition}",
    "moderate": "moderate symptoms of {condition}",
    "moderately severe": "moderately severe symptoms of {condition}",
    "severe": "severe symptoms of {condition}",
}
ADVICE = {
    "none-minimal": "If you are still worried about how you feel, talk to your GP or refer yourself to NHS "
    "Talking Therapies.",
    "mild": "NHS Talking Therapies can help, and you can refer yourself. Your GP can help too.",
    "moderate": "We suggest you refer yourself to NHS Talking Therapies or talk to your GP.",
    "moderately severe": "Please talk to your GP soon. You can also refer yourself to NHS Talking Therapies.",
    "severe": "Please talk to your GP soon, or call NHS 111 and choose option 2 if you feel you cannot cope. "
    "You can also refer yourself to NHS Talking Therapies.",
}


def measure_for(key: str) -> Measure:
    """The one line to change if the registry moves: the measure (items, options, scorer) for `key`."""
    return registry.get(key)


class SelfCheckForm(forms.Form):
    """One radio question per item of the measure, plus an optional borough to find local services."""

    def __init__(self, measure: Measure, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in measure.items:
            self.fields[f"q{item.number}"] = forms.ChoiceField(
                label=f"{item.number}. {item.title}",
                choices=[(str(option.value), option.label) for option in item.options],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Answer question {item.number}.",
                    "invalid_choice": f"Choose one of the answers to question {item.number}.",
                },
            )
        self.fields["borough"] = forms.CharField(
            label="Your borough (optional)",
            required=False,
            help_text="So we can show your local NHS Talking Therapies service. We do not store it.",
            widget=forms.Select(choices=[("", "Choose your borough"), *places.borough_choices()]),
        )
        self.measure = measure

    def answers(self) -> dict[str, int]:
        return {str(item.number): int(self.cleaned_data[f"q{item.number}"]) for item in self.measure.items}


@dataclass(frozen=True)
class Result:
    total: int
    maximum: int
    severity: str
    summary: str
    advice: str
    crisis_first: bool


def result_for(key: str, measure: Measure, answers: dict[str, int]) -> Result:
    scores = measure.score(answers)
    severity = str(scores["severity"])
    condition = SELF_CHECKS[key][2]
    maximum = sum(max(o.weight or 0 for o in item.options) for item in measure.items)
    return Result(
        total=int(scores["total"]),
        maximum=maximum,
        severity=severity,
        summary=f"Your answers suggest {BAND_TEXT[severity].format(condition=condition)}.",
        advice=ADVICE[severity],
        crisis_first=bool(scores.get("item9_positive", False)),
    )


@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest, key: str) -> HttpResponse:
    if key not in SELF_CHECKS:
        raise Http404("No such self-check")
    measure = measure_for(key)
    title, short_name, _ = SELF_CHECKS[key]
    form = SelfCheckForm(measure, request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "page_title": f"{title} ({short_name})",
        "title": title,
        "short_name": short_name,
        "key": key,
        "measure": measure,
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        result = result_for(key, measure, form.answers())
        services.count_self_check(measure=key)
        place = (
            places.from_borough_code(form.cleaned_data["borough"]) if form.cleaned_data["borough"] else None
        )
        borough = place.borough if place else None
        local = (
            list(search.search(borough=borough, type=ServiceType.TALKING_THERAPIES)[:3]) if borough else []
        )
        context.update({"result": result, "borough": borough, "talking_therapies": local})
        return mark_private(render(request, "directory/self_check_result.jinja", context))
    return mark_private(render(request, "directory/self_check.jinja", context))
