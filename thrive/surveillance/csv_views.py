"""CSV pages: the import template, importing reports row by row, and exporting the case list (audited)."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.surveillance import access, csvio, scope, selectors
from thrive.surveillance.forms import CaseFilterForm, ImportForm
from thrive.surveillance.views import _user, acting_organisation

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class _Echo:
    def write(self, value: str) -> str:
        return value


@access.page("csv-template")
def csv_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(csvio.template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="thrive-case-report-template.csv"'
    return response


@access.page("csv-import")
def csv_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result, problem = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise csvio.WrongColumns("The file is larger than 5 MB: split it into smaller files.")
            text = upload.read().decode("utf-8-sig")
            result = csvio.import_reports(
                text=text, organisation=acting_organisation(user, P.CASE_CREATE), user=user
            )
        except UnicodeDecodeError:
            problem = "The file is not UTF-8 text: save it as 'CSV UTF-8' and try again."
        except csvio.WrongColumns as wrong:
            problem = str(wrong)
        if problem:
            form.add_error("file", problem)
    return render(
        request,
        "surveillance/csv_import.jinja",
        {
            "page_title": "Import reports from a CSV file",
            "form": form,
            "result": result,
            "columns": list(csvio.COLUMNS),
            "required": csvio.REQUIRED_COLUMNS,
        },
    )


@access.page("case-export")
def case_export(request: HttpRequest) -> StreamingHttpResponse:
    """The case list as CSV, with the list's filters; identifying columns only for identifiable exporters."""
    user = _user(request)
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    identifiable = user.can(P.CASE_EXPORT_IDENTIFIABLE)
    cases = (
        selectors.filter_cases(scope.visible_cases(user), filters)
        .select_related("residence_lsoa11", "incident_lsoa11")
        .prefetch_related("substances")
    )
    if not identifiable:
        cases = selectors.without_identities(cases)
    rows = list(cases)
    if identifiable:
        selectors.list_rows(rows)
    audit.record(
        action=audit.Action.EXPORT,
        object_type="surveillance.case",
        user=user,
        reason="case export (identifiable)" if identifiable else "case export (pseudonymised)",
        summary=f"{len(rows)} cases; filters { ({k: str(v) for k, v in filters.items() if v}) }",
    )
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in csvio.export_rows(rows, identifiable=identifiable)),
        content_type="text/csv; charset=utf-8",
    )
    kind = "identifiable" if identifiable else "pseudonymised"
    response["Content-Disposition"] = f'attachment; filename="thrive-cases-{kind}-{timezone.localdate()}.csv"'
    return response
