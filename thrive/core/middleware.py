"""Request ids for the audit log, and a hard limit on request bodies."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_request_id", default="")
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = current_request_id.set(request_id)
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(id_token)
            current_request.reset(request_token)
        response["X-Request-Id"] = request_id
        return response


class BodySizeLimitMiddleware:
    """Refuse an oversized body before anything reads it, with a plain message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.THRIVE_MAX_BODY_BYTES
        if length > limit:
            message = f"The request is too large: the limit is {limit // 1024} KB."
            if request.path.startswith("/api/"):
                return JsonResponse({"errors": {"body": [message]}}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
