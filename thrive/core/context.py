"""Values every template needs before the NHS.UK page template renders (its inline script's nonce, asset path)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static


def template_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "cspNonce": getattr(request, "csp_nonce", ""),
        "assetPath": static("vendor/nhsuk/assets").rstrip("/"),
    }
