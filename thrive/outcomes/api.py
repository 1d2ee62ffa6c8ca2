"""`/api/v1/outcomes/` for trust systems: patients, episodes and assessments (plain JSON or FHIR
QuestionnaireResponse), posted with idempotency keys, and the measures' FHIR Questionnaires.

A key reaches its own trust's records; anything else is 404, like a record that does not exist. Writes go
through the same services as the web pages, so they refuse the same things with the same messages, as
`{"errors": {"answers.3": [...]}}`. Reads of records are audited. Answers for replays are kept by the shared
idempotency store, so they carry identifiers and scores only, never an NHS number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from thrive.accounts.api_auth import ApiClient, ApiKeyAuthentication, HasScope
from thrive.accounts.models import Team
from thrive.core import audit
from thrive.outcomes import access, fhir, services, worklist
from thrive.outcomes.api_serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    EpisodeCreateSerializer,
    EpisodeEndSerializer,
    EpisodeSerializer,
    PatientCreateSerializer,
    PatientSerializer,
)
from thrive.outcomes.codes import Source, Status
from thrive.outcomes.measures import UnknownMeasureError
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import Assessment, Episode, Patient
from thrive.surveillance import idempotency

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes retries safe: the same key and body return the first answer; another body gets 409.",
)


def _client(request: Request) -> ApiClient:
    return request.user  # type: ignore[return-value]


def _refused(refused: services.Refused) -> serializers.ValidationError:
    return serializers.ValidationError(refused.errors)


def _create(request: Request, handler: Callable[[], Response]) -> Response:
    return idempotency.idempotent(
        request=request, organisation=_client(request).organisation, handler=handler
    )


class _Base(generics.GenericAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = {"GET": "outcomes:read", "POST": "outcomes:write", "PATCH": "outcomes:write"}

    def audit_read(self, what: str, obj: Any = None) -> None:
        client = _client(self.request)
        audit.record(
            action=audit.Action.READ if obj is not None else audit.Action.SEARCH,
            obj=obj,
            object_type="" if obj is not None else what,
            organisation=client.organisation,
            reason=f"API {what}",
            summary=f"key {client.key.prefix}",
        )


class PatientListCreate(_Base):
    serializer_class = PatientSerializer

    def get_queryset(self) -> QuerySet[Patient]:
        return (
            access.patients_for_client(_client(self.request))
            .select_related("borough")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(responses=PatientSerializer(many=True), summary="List the trust's patients")
    def get(self, request: Request) -> Response:
        self.audit_read("outcomes.patient")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PatientSerializer(page, many=True).data)

    @extend_schema(
        request=PatientCreateSerializer,
        responses={201: PatientSerializer},
        parameters=[IDEMPOTENCY],
        summary="Register a patient",
    )
    def post(self, request: Request) -> Response:
        def handle() -> Response:
            body = PatientCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            try:
                patient = services.register_patient(
                    by=None, organisation=_client(request).organisation, **data
                )
            except services.Refused as refused:
                raise _refused(refused) from None
            return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)

        return _create(request, handle)


class EpisodeListCreate(_Base):
    serializer_class = EpisodeSerializer

    def get_queryset(self) -> QuerySet[Episode]:
        episodes = access.episodes_for_client(_client(self.request)).select_related("patient", "team")
        if patient := self.request.query_params.get("patient"):
            episodes = episodes.filter(patient__local_id=patient)
        return episodes.order_by("-start", "-pk")

    @extend_schema(
        responses=EpisodeSerializer(many=True),
        summary="List the trust's episodes",
        parameters=[
            OpenApiParameter("patient", str, required=False, description="Only this local identifier")
        ],
    )
    def get(self, request: Request) -> Response:
        self.audit_read("outcomes.episode")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EpisodeSerializer(page, many=True).data)

    @extend_schema(
        request=EpisodeCreateSerializer,
        responses={201: EpisodeSerializer},
        parameters=[IDEMPOTENCY],
        summary="Open an episode",
    )
    def post(self, request: Request) -> Response:
        client = _client(request)

        def handle() -> Response:
            body = EpisodeCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            patient = access.patients_for_client(client).filter(local_id=data["patient"]).first()
            team = _team(client, data["team"])
            errors = {
                **(
                    {"patient": ["No patient of this trust has that local identifier."]}
                    if patient is None
                    else {}
                ),
                **({"team": ["This trust has no team with that id or name."]} if team is None else {}),
            }
            if errors:
                raise serializers.ValidationError(errors)
            assert patient is not None and team is not None
            try:
                episode = services.open_episode(by=None, patient=patient, team=team, start=data["start"])
            except services.Refused as refused:
                raise _refused(refused) from None
            return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)

        return _create(request, handle)


def _team(client: ApiClient, value: str) -> Team | None:
    teams = Team.objects.filter(organisation=client.organisation)
    return (teams.filter(pk=int(value)) if value.isdigit() else teams.filter(name=value)).first()


class EpisodeDetail(_Base):
    serializer_class = EpisodeSerializer

    def get_object(self) -> Episode:
        episode = (
            access.episodes_for_client(_client(self.request))
            .select_related("patient", "team")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if episode is None:
            raise Http404("No such episode")
        return episode

    @extend_schema(responses=EpisodeSerializer, summary="Read an episode")
    def get(self, request: Request, pk: int) -> Response:
        episode = self.get_object()
        self.audit_read("episode", episode)
        return Response(EpisodeSerializer(episode).data)

    @extend_schema(
        request=EpisodeEndSerializer,
        responses=EpisodeSerializer,
        parameters=[IDEMPOTENCY],
        summary="End an episode",
    )
    def patch(self, request: Request, pk: int) -> Response:
        episode = self.get_object()

        def handle() -> Response:
            body = EpisodeEndSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                services.end_episode(
                    by=None,
                    episode=episode,
                    end=body.validated_data["end"],
                    reason=body.validated_data["end_reason"],
                )
            except services.Refused as refused:
                raise _refused(refused) from None
            return Response(EpisodeSerializer(episode).data)

        return _create(request, handle)


class AssessmentListCreate(_Base):
    serializer_class = AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        found = access.assessments_for_client(_client(self.request)).select_related("patient")
        params = self.request.query_params
        if patient := params.get("patient"):
            found = found.filter(patient__local_id=patient)
        if (episode := params.get("episode", "")).isdigit():
            found = found.filter(episode_id=int(episode))
        if measure := params.get("measure"):
            found = found.filter(measure=measure)
        return found.order_by("-created_at", "-pk")

    @extend_schema(
        responses=AssessmentSerializer(many=True),
        summary="List the trust's assessments, newest first",
        parameters=[
            OpenApiParameter(name, str, required=False) for name in ("patient", "episode", "measure")
        ],
    )
    def get(self, request: Request) -> Response:
        self.audit_read("outcomes.assessment")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer},
        parameters=[IDEMPOTENCY],
        summary="Record an assessment",
    )
    def post(self, request: Request) -> Response:
        client = _client(request)

        def handle() -> Response:
            body = AssessmentCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            episode = (
                access.episodes_for_client(client)
                .select_related("patient", "team__organisation")
                .filter(pk=data["episode"])
                .first()
            )
            if episode is None:
                raise serializers.ValidationError({"episode": ["This trust has no episode with that id."]})
            try:
                assessment = services.record_assessment(
                    by=None,
                    episode=episode,
                    measure=data["measure"],
                    timepoint=data["timepoint"],
                    mode=data["mode"],
                    assessed_on=data["assessed_on"],
                    answers=data["answers"],
                    draft=data["status"] == Status.DRAFT,
                    source=Source.API,
                )
            except services.Refused as refused:
                raise _refused(refused) from None
            return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

        return _create(request, handle)


def _assessment(request: Request, public_id: Any) -> Assessment:
    found = (
        access.assessments_for_client(_client(request))
        .select_related("patient", "episode__team__organisation")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("No such assessment")
    return found


class AssessmentDetail(_Base):
    serializer_class = AssessmentSerializer

    @extend_schema(responses=AssessmentSerializer, summary="Read an assessment")
    def get(self, request: Request, public_id: Any) -> Response:
        assessment = _assessment(request, public_id)
        self.audit_read("assessment", assessment)
        return Response(AssessmentSerializer(assessment).data)


class AssessmentFhir(_Base):
    serializer_class = AssessmentSerializer

    @extend_schema(responses={200: dict}, summary="An assessment as a FHIR R4 QuestionnaireResponse")
    def get(self, request: Request, public_id: Any) -> Response:
        assessment = _assessment(request, public_id)
        self.audit_read("assessment as FHIR", assessment)
        return Response(fhir.to_questionnaire_response(assessment), content_type="application/fhir+json")


class FhirImport(_Base):
    serializer_class = AssessmentSerializer

    @extend_schema(
        request=dict,
        responses={201: AssessmentSerializer},
        summary="Import a FHIR QuestionnaireResponse",
        parameters=[
            IDEMPOTENCY,
            OpenApiParameter(
                "episode", int, required=True, description="The episode the response belongs to"
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        client = _client(request)

        def handle() -> Response:
            episode_id = request.query_params.get("episode", "")
            episode = (
                access.episodes_for_client(client)
                .select_related("patient", "team__organisation")
                .filter(pk=int(episode_id) if episode_id.isdigit() else 0)
                .first()
            )
            if episode is None:
                raise serializers.ValidationError(
                    {"episode": ["Give ?episode= with an episode of this trust."]}
                )
            try:
                response = fhir.from_questionnaire_response(request.data, episode=episode)
                timepoint = response.timepoint or worklist.suggested_timepoint(
                    episode, response.measure, response.assessed_on
                )
                assessment = services.record_assessment(
                    by=None,
                    episode=episode,
                    measure=response.measure,
                    timepoint=timepoint,
                    mode=response.mode,
                    assessed_on=response.assessed_on,
                    answers=response.answers,
                    draft=response.draft,
                    source=Source.FHIR,
                )
            except services.Refused as refused:
                raise _refused(refused) from None
            return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

        return _create(request, handle)


class QuestionnaireDetail(_Base):
    serializer_class = AssessmentSerializer

    @extend_schema(responses={200: dict}, summary="A measure's FHIR R4 Questionnaire")
    def get(self, request: Request, key: str) -> Response:
        try:
            measure = get_measure(key)
        except UnknownMeasureError:
            raise Http404("No such questionnaire") from None
        return Response(measure.questionnaire(), content_type="application/fhir+json")
