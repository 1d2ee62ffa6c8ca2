"""`/api/v1/referrals/` for bereavement services' own systems: list and read their referrals, and PATCH the
workflow (status, contact attempts, transfer, withdrawal of consent).

A key reaches the referrals assigned to its own organisation; any other referral is 404, like one that does
not exist. Every read that returns personal details is audited. A PATCH answers with the workflow state only
(no personal details), because its answer is kept for `Idempotency-Key` replays, outside the referral's data
key.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from thrive.accounts.api_auth import ApiClient, ApiKeyAuthentication, HasScope
from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType
from thrive.core import audit
from thrive.referrals import access, services
from thrive.referrals.models import ContactAttempt, Referral, ReferralEvent, Status
from thrive.referrals.workflow import TransitionError
from thrive.surveillance import idempotency

STATUS_CHOICE: dict[str, Any] = {
    "invalid_choice": f"'{{input}}' is not a referral status. Use one of: {', '.join(Status.values)}."
}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Makes retries safe: the same key and body return the first answer; another body gets 409.",
)  # fmt: skip
STATUS_FILTER = OpenApiParameter(
    "status", str, enum=Status.values, required=False, description="Only this status"
)


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BereavedPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    relationship = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField()
    postcode = serializers.CharField()
    language = serializers.CharField()
    interpreter_needed = serializers.BooleanField()
    safety_concerns = serializers.CharField()


class DeceasedSerializer(serializers.Serializer):
    first_name = serializers.CharField(source="deceased_first_name")
    date_of_death = serializers.DateField(allow_null=True)


class WhereSerializer(serializers.Serializer):
    borough = AreaSerializer(allow_null=True)
    basis = serializers.CharField(help_text="postcode, borough, deceased_residence, incident or unknown")


class StateSerializer(serializers.Serializer):
    """The workflow state: what a PATCH answers with (no personal details)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    first_contact_due = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    first_contact_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    consent_withdrawn = serializers.SerializerMethodField()

    def get_overdue(self, referral: Referral) -> bool:
        return referral.is_overdue()

    def get_consent_withdrawn(self, referral: Referral) -> bool:
        return referral.withdrawn_at is not None


class ReferralSerializer(StateSerializer):
    """A referral as its service sees it: the minimum necessary, never the method or the narrative."""

    details_erased = serializers.BooleanField(source="erased")
    bereaved_person = BereavedPersonSerializer(source="*")
    deceased = DeceasedSerializer(source="*")
    where_they_live = serializers.SerializerMethodField()

    def get_where_they_live(self, referral: Referral) -> dict[str, Any]:
        borough = referral.borough
        return {
            "borough": {"code": borough.code, "name": borough.name} if borough else None,
            "basis": referral.basis,
        }


class AttemptOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactAttempt
        fields = ["at", "channel", "outcome", "note"]


class EventOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralEvent
        fields = ["at", "kind", "from_status", "to_status"]


class ReferralDetailSerializer(ReferralSerializer):
    contact_attempts = AttemptOutSerializer(many=True, source="attempts")
    history = EventOutSerializer(many=True, source="events")


class AttemptInSerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False, help_text="When the attempt was made (default: now)")
    channel = serializers.ChoiceField(choices=ContactAttempt.Channel.choices)
    outcome = serializers.ChoiceField(choices=ContactAttempt.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReferralPatchSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False, error_messages=STATUS_CHOICE)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    contact_attempt = AttemptInSerializer(required=False)
    transfer_to = serializers.SlugRelatedField(
        slug_field="slug", required=False,
        queryset=Organisation.objects.filter(type=OrganisationType.BEREAVEMENT_SERVICE),
        help_text="With status 'transferred': the slug of the bereavement service to pass the referral to",
        error_messages={"does_not_exist": "There is no bereavement service '{value}'."},
    )  # fmt: skip
    consent_withdrawn = serializers.BooleanField(
        required=False,
        help_text="true: the person withdrew consent; the referral closes and their details are erased",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not (data.get("status") or data.get("contact_attempt") or data.get("consent_withdrawn")):
            raise serializers.ValidationError("Give a status, a contact_attempt or consent_withdrawn: true.")
        if data.get("consent_withdrawn") and (data.get("status") or data.get("contact_attempt")):
            raise serializers.ValidationError(
                "Withdraw consent on its own, without a status or contact attempt."
            )
        return data


def _client(request: Request) -> ApiClient:
    return request.user  # type: ignore[return-value]


def _detail_queryset(client: ApiClient) -> QuerySet[Referral]:
    return access.referrals_for_client(client).select_related("subject", "borough")


class ReferralList(generics.GenericAPIView):
    """The referrals assigned to the key's organisation, newest first."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = {"GET": "referrals:read"}
    serializer_class = ReferralSerializer

    def get_queryset(self) -> QuerySet[Referral]:
        referrals = _detail_queryset(_client(self.request)).order_by("-received_at", "-id")
        wanted = self.request.query_params.get("status")
        return referrals.filter(status=wanted) if wanted else referrals

    @extend_schema(
        parameters=[STATUS_FILTER],
        responses=ReferralSerializer(many=True),
        operation_id="referrals_list",
        summary="List your service's referrals",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        client = _client(request)
        if page:
            audit.record(
                action=audit.Action.SEARCH,
                object_type="referrals.referral",
                organisation=client.organisation,
                reason="API referral list",
                summary=f"key {client.key.prefix}: {[r.pk for r in page]}",
            )
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)


class ReferralDetail(generics.GenericAPIView):
    """One referral of the key's organisation; PATCH moves it along the workflow."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    required_scopes = {"GET": "referrals:read", "PATCH": "referrals:write"}
    serializer_class = ReferralPatchSerializer

    @extend_schema(responses=ReferralDetailSerializer, summary="Read a referral")
    def get(self, request: Request, pk: int) -> Response:
        client = _client(request)
        referral = access.get_referral_for_client(client, pk)
        audit.record(
            action=audit.Action.READ,
            obj=referral,
            organisation=client.organisation,
            reason="API referral read",
            summary=f"key {client.key.prefix}",
        )
        return Response(ReferralDetailSerializer(referral).data)

    @extend_schema(
        request=ReferralPatchSerializer,
        responses=StateSerializer,
        parameters=[IDEMPOTENCY],
        summary="Record a status, a contact attempt, a transfer or a withdrawal of consent",
    )
    def patch(self, request: Request, pk: int) -> Response:
        client = _client(request)
        referral = access.get_referral_for_client(client, pk)

        def handle() -> Response:
            serializer = ReferralPatchSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            via = f"API key {client.key.prefix}"
            try:
                if data.get("consent_withdrawn"):
                    result = services.withdraw_consent(
                        referral=referral, by=None, organisation=client.organisation, via=via
                    )
                else:
                    attempt = data.get("contact_attempt")
                    result = services.update(
                        referral=referral, by=None, organisation=client.organisation, via=via,
                        status=data.get("status"), note=data.get("note", ""),
                        transfer_to=data.get("transfer_to"),
                        attempt=services.Attempt(
                            at=attempt.get("at") or timezone.now(), channel=attempt["channel"],
                            outcome=attempt["outcome"], note=attempt.get("note", ""),
                        ) if attempt else None,
                    )  # fmt: skip
            except TransitionError as problem:
                return Response(
                    {"errors": {problem.field: [str(problem)]}}, status=status.HTTP_400_BAD_REQUEST
                )
            if result.pk != referral.pk:  # transferred: this service's referral, as it now stands
                result = Referral.objects.get(pk=referral.pk)
            return Response(StateSerializer(result).data)

        return idempotency.idempotent(request=request, organisation=client.organisation, handler=handle)
