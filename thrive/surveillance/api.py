"""`/api/v1/cases/` for agency systems: report a death, list and read cases, add an agency report (PATCH).

A key reaches what its organisation reaches (`scope.client_reach`); anything else is 404 exactly like a case
that does not exist. Reads are audited. Writes go through `services.submit_report`, the same service as the
web form.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from thrive.accounts.api_auth import ApiClient, ApiKeyAuthentication, HasScope
from thrive.core import audit
from thrive.surveillance import codes, idempotency, scope, services
from thrive.surveillance.models import AgencyReport, Case
from thrive.surveillance.serializers import CaseReportSerializer

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes retries safe: the same key and body return the first answer; another body gets 409.",
)
CREATED = inline_serializer(
    "CaseCreated",
    {
        "reference": serializers.CharField(),
        "linked": serializers.BooleanField(),
        "possible_duplicates": serializers.ListField(child=serializers.DictField()),
        "flags": serializers.ListField(child=serializers.CharField()),
    },
)


DETAIL = inline_serializer(
    "CaseDetail",
    {
        "reference": serializers.CharField(),
        "status": serializers.CharField(),
        "conclusion": serializers.CharField(allow_null=True),
        "inquest_date": serializers.DateField(allow_null=True),
        "date_found": serializers.DateField(),
        "date_of_death": serializers.DateField(allow_null=True),
        "deceased": serializers.DictField(help_text="The current values, as in the request body"),
        "incident": serializers.DictField(help_text="Location, its areas, location type, method, substances"),
        "circumstances": serializers.ListField(child=serializers.CharField()),
        "narrative": serializers.CharField(),
        "flags": serializers.ListField(child=serializers.CharField()),
        "next_of_kin": serializers.ListField(
            child=serializers.DictField(), help_text="Contact details only to the agency that gave them"
        ),
        "reports": serializers.ListField(child=serializers.DictField(), help_text="Each agency's report"),
    },
)


class CaseSummarySerializer(serializers.ModelSerializer):
    borough = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "status",
            "date_found",
            "date_of_death",
            "borough",
            "location_type",
            "method_group",
            "created_at",
            "updated_at",
        ]

    def get_borough(self, case: Case) -> str | None:
        borough = case.borough
        return borough.code if borough is not None else None


def _area(area: Any) -> dict[str, str] | None:
    return {"code": area.code, "name": area.name} if area is not None else None


def case_detail(case: Case, organisation_id: int) -> dict[str, Any]:
    """The full case for an agency that reaches it; next of kin's contact details only to the agency that gave
    them."""
    reports = list(case.reports.select_related("organisation").order_by("submitted_at", "id"))
    return {
        "reference": case.reference,
        "status": case.status,
        "conclusion": case.conclusion or None,
        "inquest_date": case.inquest_date,
        "date_found": case.date_found,
        "time_found": case.time_found,
        "date_of_death": case.date_of_death,
        "time_of_death": case.time_of_death,
        "deceased": {
            "given_name": case.given_name,
            "family_name": case.family_name,
            "date_of_birth": case.date_of_birth,
            "age": case.age,
            "nhs_number": case.nhs_number,
            "sex": case.sex or None,
            "gender_identity": case.gender_identity,
            "ethnicity": case.ethnicity or None,
            "residence_postcode": case.residence_postcode,
            "residence_borough": _area(case.residence_borough),
            "residence_lsoa21": _area(case.residence_lsoa21),
            "employment_status": case.employment_status or None,
            "occupation": case.occupation,
            "relationship_status": case.relationship_status or None,
        },
        "incident": {
            "location": case.incident_point,
            "postcode": case.incident_postcode,
            "borough": _area(case.incident_borough),
            "lsoa21": _area(case.incident_lsoa21),
            "location_type": case.location_type or None,
            "method_group": case.method_group or None,
            "substances": [s.name for s in case.substances.all()],
        },
        "circumstances": case.circumstances,
        "known_to_mental_health_services": case.known_to_mental_health_services,
        "narrative": case.narrative,
        "flags": case.flags,
        "next_of_kin": [
            {
                "id": p.pk,
                "relationship": p.relationship,
                "consent_to_referral": p.consent_to_referral,
                **(
                    {
                        "name": p.name,
                        "phone": p.phone,
                        "email": p.email,
                        "postcode": p.postcode,
                        "language": p.language,
                    }
                    if p.added_by_organisation_id == organisation_id
                    else {}
                ),
            }
            for p in case.next_of_kin.select_related("subject")
        ],
        "reports": [
            {
                "organisation": r.organisation.name,
                "submitted_at": r.submitted_at,
                "via": r.via,
                "fields": r.fields,
                "reporting_reference": r.reporting_reference
                if r.organisation_id == organisation_id
                else None,
            }
            for r in reports
        ],
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def _client(request: Request) -> ApiClient:
    return request.user  # type: ignore[return-value]


def _answer(submission: services.Submission, client: ApiClient) -> dict[str, Any]:
    reachable = set(
        Case.objects.filter(
            scope.client_reach(client), pk__in=[c.pk for c, _ in submission.possible_duplicates]
        ).values_list("pk", flat=True)
    )
    return {
        "reference": submission.case.reference,
        "linked": submission.linked,
        "possible_duplicates": [
            {"reference": c.reference, "score": s.total}
            for c, s in submission.possible_duplicates
            if c.pk in reachable
        ],
        "flags": submission.flags,
    }


class CaseListCreate(generics.GenericAPIView):
    """Cases within the key's reach (newest first), and reporting a death."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = {"GET": "cases:read", "POST": "cases:write"}
    serializer_class = CaseReportSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return (
            Case.objects.filter(scope.client_reach(_client(self.request)))
            .exclude(status=codes.Status.MERGED)
            .select_related("residence_borough", "incident_borough")
            .order_by("-created_at", "-id")
        )

    @extend_schema(responses=CaseSummarySerializer(many=True), summary="List cases within the key's reach")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        client = _client(request)
        audit.record(
            action=audit.Action.SEARCH,
            object_type="surveillance.case",
            organisation=client.organisation,
            reason="API case list",
            summary=f"key {client.key.prefix}, page {request.query_params.get('page', 1)}",
        )
        return self.get_paginated_response(CaseSummarySerializer(page, many=True).data)

    @extend_schema(
        request=CaseReportSerializer,
        responses={201: CREATED},
        parameters=[IDEMPOTENCY],
        summary="Report a suspected suicide",
    )
    def post(self, request: Request) -> Response:
        client = _client(request)

        def handle() -> Response:
            serializer = CaseReportSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            submission = services.submit_report(
                body=serializer.validated_data,
                organisation=client.organisation,
                via=AgencyReport.Via.API,
                api_key=client.key,
            )
            return Response(_answer(submission, client), status=status.HTTP_201_CREATED)

        return idempotency.idempotent(request=request, organisation=client.organisation, handler=handle)


class CaseDetail(generics.GenericAPIView):
    """One case within the key's reach; PATCH adds this agency's report to it."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = {"GET": "cases:read", "PATCH": "cases:write"}
    serializer_class = CaseReportSerializer
    lookup_field = "reference"

    @extend_schema(responses={200: DETAIL}, summary="Read a case")
    def get(self, request: Request, reference: str) -> Response:
        client = _client(request)
        case = scope.get_case_for_client(client, reference)
        audit.record(
            action=audit.Action.READ,
            obj=case,
            organisation=client.organisation,
            reason="API case read",
            summary=f"key {client.key.prefix}",
        )
        return Response(case_detail(case, client.organisation.pk))

    @extend_schema(
        request=CaseReportSerializer,
        responses={200: CREATED},
        parameters=[IDEMPOTENCY],
        summary="Add this agency's report to a case",
    )
    def patch(self, request: Request, reference: str) -> Response:
        client = _client(request)
        case = scope.get_case_for_client(client, reference)
        if case.status == codes.Status.MERGED and case.merged_into_id:
            case = Case.objects.get(pk=case.merged_into_id)

        def handle() -> Response:
            serializer = CaseReportSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            known = set(case.next_of_kin.values_list("pk", flat=True))
            wrong = {
                f"next_of_kin.{i}.id": ["No bereaved person with this id on this case."]
                for i, entry in enumerate(serializer.validated_data.get("next_of_kin", []))
                if entry.get("id") and entry["id"] not in known
            }
            if wrong:
                return Response({"errors": wrong}, status=status.HTTP_400_BAD_REQUEST)
            submission = services.submit_report(
                body=serializer.validated_data,
                organisation=client.organisation,
                via=AgencyReport.Via.API,
                api_key=client.key,
                case=case,
            )
            return Response(_answer(submission, client), status=status.HTTP_200_OK)

        return idempotency.idempotent(request=request, organisation=client.organisation, handler=handle)
