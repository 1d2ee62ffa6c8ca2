"""Who may use each surveillance page and endpoint: the table the views enforce and the access-matrix test
reads.

A page rule names the permissions that let a user in at all (anyone else: 403), and whether it is about a case
(then the case must also be in the user's reach, identifiable when `case="identifiable"`; otherwise: 404, the
same as a case that does not exist). Its `in_scope` / `out_of_scope` sets are the expected outcome per role
for a case in and out of the persona's scope: they are written independently of the permissions, so the matrix
test checks the roles, permissions and scope rules against each other. An endpoint rule does the same per
organisation type for API keys. A URL of the app without a rule fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http.response import HttpResponseBase

from thrive.accounts.decorators import staff_required
from thrive.accounts.permissions import OrganisationType as T
from thrive.accounts.permissions import Permission as P
from thrive.core.access_rules import Rule

READERS = frozenset({"reporter", "coroners_officer", "surveillance_lead", "analyst"})
IDENTIFIABLE_READERS = frozenset({"reporter", "coroners_officer", "surveillance_lead"})
AUTHORS = frozenset({"reporter", "coroners_officer"})
LEADS = frozenset({"surveillance_lead"})
NONE: frozenset[str] = frozenset()
ROLES = (
    "reporter",
    "coroners_officer",
    "surveillance_lead",
    "analyst",
    "bereavement_worker",
    "clinician",
    "service_manager",
    "directory_editor",
    "administrator",
)
VIEW_ANY = (
    P.CASE_VIEW_REPORTED,
    P.CASE_VIEW_CORONER_AREA,
    P.CASE_VIEW_IDENTIFIABLE_SCOPE,
    P.CASE_VIEW_PSEUDONYMISED,
)
VIEW_IDENTIFIABLE = (P.CASE_VIEW_REPORTED, P.CASE_VIEW_CORONER_AREA, P.CASE_VIEW_IDENTIFIABLE_SCOPE)


@dataclass(frozen=True)
class PageRule:
    permissions: tuple[P, ...]
    in_scope: frozenset[str]
    out_of_scope: frozenset[str] = NONE
    case: str = ""  # "", "any" or "identifiable": which reach the page's case needs
    owned: str = ""  # "draft" / "duplicate" / "merge": the page is about another object the test must make
    method: str = "GET"


@dataclass(frozen=True)
class EndpointRule:
    methods: tuple[str, ...]
    in_scope: frozenset[str]
    out_of_scope: frozenset[str] = frozenset()
    case: bool = False  # GET in the matrix test; POST and PATCH are covered by the API tests


PAGES: dict[str, PageRule] = {
    "surveillance:case-list": PageRule(VIEW_ANY, READERS, READERS),
    "surveillance:case-search": PageRule(VIEW_IDENTIFIABLE, IDENTIFIABLE_READERS, IDENTIFIABLE_READERS),
    "surveillance:case-export": PageRule(
        (P.CASE_EXPORT_IDENTIFIABLE, P.CASE_EXPORT_PSEUDONYMISED),
        frozenset({"surveillance_lead", "analyst"}),
        frozenset({"surveillance_lead", "analyst"}),
    ),
    "surveillance:case-detail": PageRule(VIEW_ANY, READERS, case="any"),
    "surveillance:case-status": PageRule(
        (P.CASE_RECORD_INQUEST, P.CASE_VIEW_IDENTIFIABLE_SCOPE),
        frozenset({"coroners_officer", "surveillance_lead"}),
        case="identifiable",
    ),
    "surveillance:nok-consent": PageRule(
        (P.CASE_RECORD_CONSENT,), IDENTIFIABLE_READERS, case="identifiable", owned="next_of_kin"
    ),
    "surveillance:case-add-report": PageRule((P.CASE_CREATE,), AUTHORS, case="identifiable"),
    "surveillance:report-start": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS),
    "surveillance:report-step": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS, owned="draft"),
    "surveillance:report-check": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS, owned="draft"),
    "surveillance:report-discard": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS, owned="draft", method="POST"),
    "surveillance:csv-import": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS),
    "surveillance:csv-template": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS),
    "surveillance:boroughs-geojson": PageRule((P.CASE_CREATE,), AUTHORS, AUTHORS),
    "surveillance:duplicate-list": PageRule((P.CASE_MERGE,), LEADS, LEADS),
    "surveillance:duplicate-compare": PageRule((P.CASE_MERGE,), LEADS, owned="duplicate"),
    "surveillance:merge-undo": PageRule((P.CASE_MERGE,), LEADS, owned="merge"),
    "surveillance:break-glass": PageRule((P.CASE_BREAK_GLASS,), LEADS, LEADS),
}

# API keys: organisation types whose key (with the scope) reaches an in-scope / out-of-scope case. In scope
# means the organisation reported the case or was notified of it (or, for a coroner's office, its area). The
# regional prevention team is told of every case in the region, so no London case is outside its reach.
CASE_READERS = frozenset(
    {T.POLICE_FORCE, T.LOCAL_AUTHORITY, T.NHS_TRUST, T.CORONERS_OFFICE, T.REGIONAL_PREVENTION_TEAM}
)
REGION_WIDE = frozenset({T.REGIONAL_PREVENTION_TEAM})
ENDPOINTS: dict[str, EndpointRule] = {
    "api-case-list": EndpointRule(("GET", "POST"), CASE_READERS, REGION_WIDE),
    "api-case-detail": EndpointRule(("GET", "PATCH"), CASE_READERS, REGION_WIDE, case=True),
}


SCOPES = {"GET": "cases:read", "POST": "cases:write", "PATCH": "cases:write"}

# The platform-wide table (`thrive.core.access_rules`): every route of this app with the roles it admits.
ACCESS: dict[str, Rule] = {
    **{
        name: Rule(
            roles=rule.in_scope | rule.out_of_scope,
            note="case pages: within the user's reach only" if rule.case else "",
        )
        for name, rule in PAGES.items()
    },
    **{
        name: Rule(
            api_scopes=frozenset(SCOPES[m] for m in rule.methods), note="API key: its organisation's reach"
        )
        for name, rule in ENDPOINTS.items()
    },
}


def page(name: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Guard a view with its rule's permissions (signed in, two factors, any of the permissions)."""
    rule = PAGES[f"surveillance:{name}"]

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        guarded = staff_required(*rule.permissions)(view)
        guarded.access_rule = rule  # type: ignore[attr-defined]
        return guarded

    return decorate
