"""The outcomes API's request and response shapes (codes as CONTRACTS.md fixes them)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from thrive.outcomes.codes import EndReason, Ethnicity, Mode, Sex, Status, Timepoint
from thrive.outcomes.measures import keys as measure_keys
from thrive.outcomes.models import Assessment, Episode, Patient


def _choice(name: str, values: list[str]) -> dict[str, Any]:
    return {"invalid_choice": f"'{{input}}' is not a {name}. Use one of: {', '.join(values)}."}


class PatientSerializer(serializers.ModelSerializer):
    borough = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "local_id",
            "birth_year",
            "birth_month",
            "sex",
            "ethnicity",
            "borough",
            "imd_decile",
            "created_at",
        ]

    def get_borough(self, patient: Patient) -> str | None:
        return patient.borough.code if patient.borough else None


class PatientCreateSerializer(serializers.Serializer):
    local_id = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=14, default="")
    birth_year = serializers.IntegerField()
    birth_month = serializers.IntegerField()
    sex = serializers.ChoiceField(choices=Sex.values, error_messages=_choice("sex", Sex.values))
    ethnicity = serializers.ChoiceField(
        choices=Ethnicity.values, error_messages=_choice("ethnic category code", Ethnicity.values)
    )
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
    borough_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=9,
        default="",
        help_text="The ONS code of the borough, when there is no postcode",
    )


class EpisodeSerializer(serializers.ModelSerializer):
    patient = serializers.CharField(source="patient.local_id")
    team = serializers.SerializerMethodField()

    class Meta:
        model = Episode
        fields = ["id", "patient", "team", "start", "end", "end_reason"]

    def get_team(self, episode: Episode) -> dict[str, Any]:
        return {"id": episode.team_id, "name": episode.team.name, "service_line": episode.team.service_line}


class EpisodeCreateSerializer(serializers.Serializer):
    patient = serializers.CharField(help_text="The patient's local identifier")
    team = serializers.CharField(help_text="The team's id or its exact name")
    start = serializers.DateField()


class EpisodeEndSerializer(serializers.Serializer):
    end = serializers.DateField()
    end_reason = serializers.ChoiceField(
        choices=EndReason.values, error_messages=_choice("reason for ending", EndReason.values)
    )


class AssessmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    patient = serializers.CharField(source="patient.local_id")
    episode = serializers.IntegerField(source="episode_id")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "patient",
            "episode",
            "measure",
            "timepoint",
            "mode",
            "source",
            "status",
            "assessed_on",
            "answers",
            "scores",
            "created_at",
            "updated_at",
        ]


class AssessmentCreateSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    measure = serializers.ChoiceField(
        choices=list(measure_keys()), error_messages=_choice("measure", list(measure_keys()))
    )
    timepoint = serializers.ChoiceField(
        choices=Timepoint.values, error_messages=_choice("timepoint", Timepoint.values)
    )
    mode = serializers.ChoiceField(choices=Mode.values, error_messages=_choice("mode", Mode.values))
    assessed_on = serializers.DateField()
    status = serializers.ChoiceField(
        choices=Status.values, default=Status.COMPLETED, error_messages=_choice("status", Status.values)
    )
    answers = serializers.DictField(
        help_text='Item number to answer, e.g. {"1": 5, "2": 4, ..., "help": [3, 7]} (HoNOS 9 = not known; '
        'HoNOS item 8\'s problem type, optional, as "8.type": "A" to "J")'
    )
