"""The referral page's forms: a contact attempt, a change of status (or transfer), withdrawal, assignment."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType
from thrive.referrals import workflow
from thrive.referrals.models import ContactAttempt, Referral, Status
from thrive.referrals.services import Attempt


def bereavement_services(exclude: int | None = None) -> QuerySet[Organisation]:
    services = Organisation.objects.filter(type=OrganisationType.BEREAVEMENT_SERVICE).order_by("name")
    return services.exclude(pk=exclude) if exclude else services


class AttemptForm(forms.Form):
    date = forms.DateField(
        label="Date of the attempt",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date of the attempt.", "invalid": "Enter a real date."},
    )
    time = forms.TimeField(
        label="Time",
        help_text="24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the time of the attempt.", "invalid": "Enter a time like 14:30."},
    )
    channel = forms.ChoiceField(
        label="How did you try to contact them?",
        choices=ContactAttempt.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you tried to contact them."},
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactAttempt.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by your service; erased if consent is withdrawn.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("date", now.date())
            self.initial.setdefault("time", now.time().replace(second=0, microsecond=0))

    def attempt(self) -> Attempt:
        data = self.cleaned_data
        moment = datetime.datetime.combine(data["date"], data["time"])
        return Attempt(
            at=timezone.make_aware(moment),
            channel=data["channel"],
            outcome=data["outcome"],
            note=data["note"],
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status", widget=forms.RadioSelect, error_messages={"required": "Choose the new status."}
    )
    transfer_to = forms.ModelChoiceField(
        label="Transfer to (only when transferring)",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="The bereavement service for where the person lives.",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        transfer = self.fields["transfer_to"]
        assert isinstance(status, forms.ChoiceField) and isinstance(transfer, forms.ModelChoiceField)
        # Accepting has its own button; the rest are chosen here.
        choices = [s for s in workflow.next_statuses(referral.status) if s != Status.ACCEPTED]
        status.choices = [(s, Status(s).label) for s in choices]
        transfer.queryset = bereavement_services(exclude=referral.service_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Status.TRANSFERRED and not data.get("transfer_to"):
            self.add_error("transfer_to", "Choose the service to transfer the referral to.")
        if data.get("transfer_to") and data.get("status") != Status.TRANSFERRED:
            self.add_error("transfer_to", "Choose 'Transferred' as the new status to transfer the referral.")
        return data


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label="The person has told us they no longer want this referral",
        required=True,
        error_messages={"required": "Confirm that the person has withdrawn their consent."},
    )


class AssignForm(forms.Form):
    service = forms.ModelChoiceField(
        label="Bereavement service", queryset=bereavement_services(), empty_label="Choose a service"
    )
