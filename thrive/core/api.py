"""The API's shared conventions: CONTRACTS.md's paging and its plain-language error shape."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as CONTRACTS.md's dotted field paths (`next_of_kin.0.phone`)."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "body" if key == "non_field_errors" and not prefix else str(key)
            path = f"{prefix}.{name}" if prefix and key != "non_field_errors" else (prefix or name)
            for inner, messages in flatten_errors(value, path).items():
                flat.setdefault(inner, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat[prefix or "body"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    for inner, messages in flatten_errors(
                        item, f"{prefix}.{index}" if prefix else str(index)
                    ).items():
                        flat.setdefault(inner, []).extend(messages)
    else:
        flat[prefix or "body"] = [str(detail)]
    return flat


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.ValidationError):
        return Response({"errors": flatten_errors(exc.detail)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"errors": {"body": [str(response.data["detail"])]}}
    return response
