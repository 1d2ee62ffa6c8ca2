"""Permissions are a named enum; roles are documented classes that grant them (DESIGN.md's role table)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class Permission(StrEnum):
    CASE_CREATE = "case.create"
    CASE_VIEW_REPORTED = "case.view_reported"  # cases the organisation reported or was notified of
    CASE_VIEW_CORONER_AREA = "case.view_coroner_area"
    CASE_VIEW_IDENTIFIABLE_SCOPE = "case.view_identifiable_scope"
    CASE_VIEW_PSEUDONYMISED = "case.view_pseudonymised"
    CASE_RECORD_CONSENT = "case.record_consent"
    CASE_RECORD_INQUEST = "case.record_inquest"
    CASE_MERGE = "case.merge"
    CASE_BREAK_GLASS = "case.break_glass"
    CASE_EXPORT_IDENTIFIABLE = "case.export_identifiable"
    CASE_EXPORT_PSEUDONYMISED = "case.export_pseudonymised"
    ALERT_MANAGE = "alert.manage"
    LOCATION_POINTS_VIEW = "alert.view_points"
    BULLETIN_PUBLISH = "bulletin.publish"
    AGGREGATES_VIEW = "insights.view_aggregates"
    REFERRAL_WORK = "referral.work"
    REFERRAL_FIGURES = "referral.figures"
    OUTCOMES_CAPTURE = "outcomes.capture"
    OUTCOMES_DASHBOARD = "outcomes.dashboard"
    DIRECTORY_EDIT = "directory.edit"
    DIRECTORY_MODERATE = "directory.moderate"
    AREAS_VIEW = "geography.view_areas"
    AUDIT_VIEW = "audit.view"
    ADMIN_USERS = "admin.users"
    ADMIN_ORGANISATIONS = "admin.organisations"
    ADMIN_API_KEYS = "admin.api_keys"


P = Permission


class OrganisationType(StrEnum):
    POLICE_FORCE = "police_force"
    CORONERS_OFFICE = "coroners_office"
    NHS_TRUST = "nhs_trust"
    LOCAL_AUTHORITY = "local_authority"
    INTEGRATED_CARE_SYSTEM = "integrated_care_system"
    REGIONAL_PREVENTION_TEAM = "regional_prevention_team"
    BEREAVEMENT_SERVICE = "bereavement_service"
    VOLUNTARY_SECTOR = "voluntary_sector"
    PLATFORM_OPERATOR = "platform_operator"

    @property
    def label(self) -> str:
        return ORGANISATION_TYPE_LABELS[self]


ORGANISATION_TYPE_LABELS = {
    OrganisationType.POLICE_FORCE: "Police force",
    OrganisationType.CORONERS_OFFICE: "Coroner's office",
    OrganisationType.NHS_TRUST: "NHS trust",
    OrganisationType.LOCAL_AUTHORITY: "Local authority",
    OrganisationType.INTEGRATED_CARE_SYSTEM: "Integrated care system",
    OrganisationType.REGIONAL_PREVENTION_TEAM: "Regional suicide prevention team",
    OrganisationType.BEREAVEMENT_SERVICE: "Bereavement support service",
    OrganisationType.VOLUNTARY_SECTOR: "Voluntary sector organisation",
    OrganisationType.PLATFORM_OPERATOR: "Platform operator",
}
T = OrganisationType
CASE_AGENCIES = frozenset({T.POLICE_FORCE, T.CORONERS_OFFICE, T.NHS_TRUST, T.LOCAL_AUTHORITY})
PUBLIC_HEALTH = frozenset({T.LOCAL_AUTHORITY, T.INTEGRATED_CARE_SYSTEM, T.REGIONAL_PREVENTION_TEAM})


class Role:
    """A role a membership holds: what it grants and which organisation types may hold it."""

    key: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    grants: ClassVar[frozenset[Permission]]
    organisation_types: ClassVar[frozenset[OrganisationType]]
    uses_scope: ClassVar[bool] = False


class Reporter(Role):
    key, label = "reporter", "Reporter"
    description = "Creates reports; sees and adds to cases their organisation reported or was notified of."
    grants = frozenset({P.CASE_CREATE, P.CASE_VIEW_REPORTED, P.CASE_RECORD_CONSENT, P.AREAS_VIEW})
    organisation_types = CASE_AGENCIES


class CoronersOfficer(Role):
    key, label = "coroners_officer", "Coroner's officer"
    description = "Sees cases in their coroner area; records inquest dates and conclusions."
    grants = frozenset(
        {
            P.CASE_CREATE,
            P.CASE_VIEW_REPORTED,
            P.CASE_VIEW_CORONER_AREA,
            P.CASE_RECORD_INQUEST,
            P.CASE_RECORD_CONSENT,
            P.AREAS_VIEW,
        }
    )
    organisation_types = frozenset({T.CORONERS_OFFICE})
    uses_scope = True


class SurveillanceLead(Role):
    key, label = "surveillance_lead", "Surveillance lead"
    description = "Sees identifiable cases in scope; merges duplicates; manages alerts; publishes bulletins."
    grants = frozenset(
        {
            P.CASE_VIEW_IDENTIFIABLE_SCOPE,
            P.CASE_VIEW_PSEUDONYMISED,
            P.CASE_MERGE,
            P.CASE_BREAK_GLASS,
            P.CASE_RECORD_CONSENT,
            P.CASE_EXPORT_IDENTIFIABLE,
            P.CASE_EXPORT_PSEUDONYMISED,
            P.ALERT_MANAGE,
            P.LOCATION_POINTS_VIEW,
            P.BULLETIN_PUBLISH,
            P.AGGREGATES_VIEW,
            P.REFERRAL_FIGURES,
            P.AREAS_VIEW,
            P.AUDIT_VIEW,
        }
    )
    organisation_types = PUBLIC_HEALTH
    uses_scope = True


class Analyst(Role):
    key, label = "analyst", "Analyst"
    description = (
        "Pseudonymised case-level data within scope, aggregates, and exports with disclosure control."
    )
    grants = frozenset(
        {P.CASE_VIEW_PSEUDONYMISED, P.CASE_EXPORT_PSEUDONYMISED, P.AGGREGATES_VIEW, P.AREAS_VIEW}
    )
    organisation_types = PUBLIC_HEALTH
    uses_scope = True


class BereavementWorker(Role):
    key, label = "bereavement_worker", "Bereavement worker"
    description = "Referrals assigned to their service only: contact details and the minimum about the death."
    grants = frozenset({P.REFERRAL_WORK})
    organisation_types = frozenset({T.BEREAVEMENT_SERVICE})


class Clinician(Role):
    key, label = "clinician", "Clinician"
    description = (
        "Their team's patients: captures DIALOG, DIALOG+ and HoNOS; sends patients completion links."
    )
    grants = frozenset({P.OUTCOMES_CAPTURE})
    organisation_types = frozenset({T.NHS_TRUST})


class ServiceManager(Role):
    key, label = "service_manager", "Service manager"
    description = "Outcome dashboards for their services; referral figures for their bereavement service."
    grants = frozenset({P.OUTCOMES_DASHBOARD, P.REFERRAL_FIGURES, P.AREAS_VIEW})
    organisation_types = frozenset({T.NHS_TRUST, T.INTEGRATED_CARE_SYSTEM, T.BEREAVEMENT_SERVICE})
    uses_scope = True


class DirectoryEditor(Role):
    key, label = "directory_editor", "Directory editor"
    description = "Maintains their organisation's services and events; moderates public submissions."
    grants = frozenset({P.DIRECTORY_EDIT, P.DIRECTORY_MODERATE})
    organisation_types = frozenset(OrganisationType)


class Administrator(Role):
    key, label = "administrator", "Administrator"
    description = "Users, organisations, scopes and keys; no case data unless also given a data role."
    grants = frozenset({P.ADMIN_USERS, P.ADMIN_ORGANISATIONS, P.ADMIN_API_KEYS, P.AUDIT_VIEW})
    organisation_types = frozenset({T.PLATFORM_OPERATOR})


ROLES: dict[str, type[Role]] = {
    role.key: role
    for role in (
        Reporter,
        CoronersOfficer,
        SurveillanceLead,
        Analyst,
        BereavementWorker,
        Clinician,
        ServiceManager,
        DirectoryEditor,
        Administrator,
    )
}
ROLE_CHOICES = [(key, role.label) for key, role in ROLES.items()]

# What an API key scope needs the organisation to be able to do (a key reaches what its organisation reaches).
API_SCOPES: dict[str, frozenset[OrganisationType]] = {
    "cases:read": CASE_AGENCIES | PUBLIC_HEALTH,
    "cases:write": CASE_AGENCIES,
    "referrals:read": frozenset({T.BEREAVEMENT_SERVICE}),
    "referrals:write": frozenset({T.BEREAVEMENT_SERVICE}),
    "outcomes:read": frozenset({T.NHS_TRUST, T.INTEGRATED_CARE_SYSTEM}),
    "outcomes:write": frozenset({T.NHS_TRUST}),
    "directory:read": frozenset(OrganisationType),
    "directory:write": frozenset(OrganisationType),
}
