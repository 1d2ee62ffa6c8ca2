"""The case report body (CONTRACTS.md "HTTP"): strict about unknown fields, plain about what is wrong.

The same serializer checks every route in: the API's POST (a new report, all required fields) and PATCH (an
agency report added to a case, everything optional), the web form's final step and each CSV row. Error paths
are dotted (`deceased.nhs_number`, `next_of_kin.0.phone`) once `thrive.core.api` flattens them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from rest_framework import serializers

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType
from thrive.surveillance import codes, validation
from thrive.surveillance.places import area_exists

UNKNOWN = "This field is not recognised. Check its spelling against the API reference."
POSTCODE_MESSAGE = "Enter a full UK postcode, like E1 6AN."


def _postcode_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=12, required=False, allow_blank=True, error_messages={"max_length": POSTCODE_MESSAGE}
    )


REQUIRED = "This field is required."


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming each one (DRF silently ignores them by default)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            errors: dict[str, Any] = {name: [UNKNOWN] for name in unknown}
            try:
                value = super().to_internal_value(data)
            except serializers.ValidationError as exc:
                if isinstance(exc.detail, dict):
                    errors = {**exc.detail, **errors}
                else:
                    raise
            if errors:
                raise serializers.ValidationError(errors)
            return value
        return super().to_internal_value(data)


def _choice(choices: type[models.TextChoices], **kw: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices.choices,
        error_messages={"invalid_choice": "'{input}' is not one of the allowed codes."},
        **kw,
    )


class CasePointSerializer(StrictSerializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)


class CaseDeceasedSerializer(StrictSerializer):
    given_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    age = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=130)
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    sex = _choice(codes.Sex, required=False)
    gender_identity = serializers.CharField(max_length=100, required=False, allow_blank=True)
    ethnicity = _choice(codes.Ethnicity, required=False)
    residence_postcode = _postcode_field()
    residence_area = serializers.CharField(max_length=12, required=False, allow_blank=True)
    employment_status = _choice(codes.EmploymentStatus, required=False)
    occupation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship_status = _choice(codes.RelationshipStatus, required=False)

    def validate_nhs_number(self, value: str) -> str:
        if not value:
            return ""
        problem = validation.nhs_number_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return validation.clean_nhs_number(value)

    def validate_date_of_birth(self, value: date | None) -> date | None:
        if value and value > timezone.localdate():
            raise serializers.ValidationError("The date of birth cannot be in the future.")
        return value

    def validate_residence_postcode(self, value: str) -> str:
        if not value:
            return ""
        postcode = validation.normalise_postcode(value)
        if postcode is None:
            raise serializers.ValidationError(POSTCODE_MESSAGE)
        return postcode

    def validate_residence_area(self, value: str) -> str:
        if value and not area_exists(value.upper()):
            raise serializers.ValidationError("No area has this ONS code.")
        return value.upper()


class CaseIncidentSerializer(StrictSerializer):
    location = CasePointSerializer(required=False, allow_null=True)
    postcode = _postcode_field()
    area_code = serializers.CharField(max_length=12, required=False, allow_blank=True)
    location_type = _choice(codes.LocationType, required=False)
    method_group = _choice(codes.MethodGroup, required=False)
    substances = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=30,
        error_messages={"max_length": "List at most {max_length} substances."},
    )

    def validate_postcode(self, value: str) -> str:
        if not value:
            return ""
        postcode = validation.normalise_postcode(value)
        if postcode is None:
            raise serializers.ValidationError(POSTCODE_MESSAGE)
        return postcode

    def validate_area_code(self, value: str) -> str:
        if value and not area_exists(value.upper()):
            raise serializers.ValidationError("No area has this ONS code.")
        return value.upper()


class CaseNextOfKinSerializer(StrictSerializer):
    id = serializers.IntegerField(
        required=False, help_text="An existing bereaved person (PATCH: change consent)"
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship = _choice(codes.Relationship, required=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    postcode = _postcode_field()
    borough = serializers.CharField(max_length=12, required=False, allow_blank=True)
    language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    interpreter_needed = serializers.BooleanField(required=False)
    safety_concerns = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    support_wanted = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    consent_to_referral = _choice(codes.Consent, required=False)

    def validate_phone(self, value: str) -> str:
        if not value:
            return ""
        problem = validation.phone_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return validation.clean_phone(value)

    def validate_postcode(self, value: str) -> str:
        if not value:
            return ""
        postcode = validation.normalise_postcode(value)
        if postcode is None:
            raise serializers.ValidationError(POSTCODE_MESSAGE)
        return postcode

    def validate_borough(self, value: str) -> str:
        if value and not area_exists(value.upper(), "borough"):
            raise serializers.ValidationError("No borough has this ONS code (boroughs are E09...).")
        return value.upper()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("id"):
            return attrs
        errors = {name: [REQUIRED] for name in ("name", "relationship") if not attrs.get(name)}
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CaseReportSerializer(StrictSerializer):
    """A new report (POST); with `partial=True`, an agency report added to an existing case (PATCH)."""

    reporting_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_found = serializers.DateField()
    time_found = serializers.TimeField(required=False, allow_null=True)
    date_of_death = serializers.DateField(required=False, allow_null=True)
    time_of_death = serializers.TimeField(required=False, allow_null=True)
    deceased = CaseDeceasedSerializer()
    incident = CaseIncidentSerializer()
    circumstances = serializers.ListField(child=_choice(codes.Circumstance), required=False)
    known_to_mental_health_services = serializers.BooleanField(required=False, allow_null=True)
    mental_health_trust = serializers.SlugField(required=False, allow_blank=True)
    narrative = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=validation.NARRATIVE_MAX,
        trim_whitespace=True,
        error_messages={"max_length": "The narrative is too long: keep it under {max_length} characters."},
    )
    next_of_kin = CaseNextOfKinSerializer(many=True, required=False)

    def validate_mental_health_trust(self, value: str) -> str:
        if value and not Organisation.objects.filter(slug=value, type=OrganisationType.NHS_TRUST).exists():
            raise serializers.ValidationError("No NHS trust has this identifier.")
        return value

    def to_internal_value(self, data: Any) -> Any:
        """Field errors and the checks across fields come back together (a bad NHS number does not hide a date
        of death in the future)."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, dict):
                raise
            detail: dict[str, Any] = exc.detail
            for key, value in self.cross_field_errors(_lenient(data)).items():
                if key not in detail:
                    detail[key] = value
                elif isinstance(value, dict) and isinstance(detail[key], dict):
                    detail[key] = {**value, **detail[key]}
            raise

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = self.cross_field_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def cross_field_errors(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        today = timezone.localdate()
        found, died = attrs.get("date_found"), attrs.get("date_of_death")
        if found and found > today:
            errors["date_found"] = ["The date found cannot be in the future."]
        if died and died > today:
            errors["date_of_death"] = ["The date of death cannot be in the future."]
        elif died and found and died > found:
            errors["date_of_death"] = ["The date of death cannot be after the date the person was found."]
        deceased = attrs.get("deceased") or {}
        if not self.partial:
            missing = {k: [REQUIRED] for k in ("family_name", "sex") if not deceased.get(k)}
            if not deceased.get("date_of_birth") and deceased.get("age") is None:
                missing["date_of_birth"] = ["Give the date of birth or, if it is not known, the age."]
            if missing:
                errors["deceased"] = missing
            incident = attrs.get("incident") or {}
            missing_incident = {
                k: [REQUIRED] for k in ("location_type", "method_group") if not incident.get(k)
            }
            if missing_incident:
                errors["incident"] = missing_incident
        born = deceased.get("date_of_birth")
        on = died or found
        age = validation.age_on(born, on) if born and on else deceased.get("age")
        if age is not None and age < validation.MINIMUM_AGE:
            key = "date_of_birth" if born else "age"
            errors.setdefault("deceased", {})[key] = [
                f"The person must have been aged {validation.MINIMUM_AGE} or over: deaths of younger "
                "children are reviewed by child death overview panels, not recorded here."
            ]
        if born and on and born > on:
            errors.setdefault("deceased", {})["date_of_birth"] = [
                "The date of birth is after the date of death."
            ]
        return errors


def _date_or_none(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _lenient(data: dict[str, Any]) -> dict[str, Any]:
    """The dates and age of a body that failed field validation, where they parse, for the checks across
    fields (everything else is left out, so only those checks can fire)."""
    raw_deceased: dict[str, Any] = data["deceased"] if isinstance(data.get("deceased"), dict) else {}
    age = raw_deceased.get("age")
    deceased = {
        "date_of_birth": _date_or_none(raw_deceased.get("date_of_birth")),
        "age": age if isinstance(age, int) and not isinstance(age, bool) else None,
        "family_name": raw_deceased.get("family_name"),
        "sex": raw_deceased.get("sex"),
    }
    incident = data.get("incident") if isinstance(data.get("incident"), dict) else {}
    return {
        "date_found": _date_or_none(data.get("date_found")),
        "date_of_death": _date_or_none(data.get("date_of_death")),
        "deceased": deceased,
        "incident": incident,
    }
