"""`Authorization: Bearer <key>` for agency systems: a key reaches what its organisation reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from thrive.accounts.apikeys import authenticate_key
from thrive.accounts.models import ApiKey, Organisation


@dataclass
class ApiClient:
    """The caller behind an API key; stands where DRF expects a user."""

    key: ApiKey
    organisation: Organisation
    scopes: frozenset[str] = field(default_factory=frozenset)
    is_authenticated: bool = True
    is_active: bool = True

    @property
    def pk(self) -> int:
        return self.key.pk

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: HttpRequest) -> tuple[ApiClient, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed("Send the API key as 'Authorization: Bearer <key>'.")
        key = authenticate_key(token.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(
                "The API key is not valid, has expired or has been revoked."
            )
        return ApiClient(key=key, organisation=key.organisation, scopes=frozenset(key.scopes)), key

    def authenticate_header(self, request: HttpRequest) -> str:
        return 'Bearer realm="api"'


class HasScope(permissions.BasePermission):
    """Checks `view.required_scopes`: a dict of HTTP method (or "*") to the scope it needs."""

    message = "This API key does not have the scope this request needs."

    def has_permission(self, request: Any, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        needed: dict[str, str] = getattr(view, "required_scopes", {})
        scope = needed.get(request.method, needed.get("*"))
        if scope is None:
            return False
        if not client.has_scope(scope):
            self.message = f"This API key does not have the '{scope}' scope."
            return False
        return True


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "thrive.accounts.api_auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made with `thrive apikey create`.",
        }
