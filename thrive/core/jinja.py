"""The Jinja2 environment: NHS.UK frontend macros, Django's url and static helpers, and site-wide globals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from thrive.core.site import crisis_lines, demo_data_loaded, reference_attribution


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    base_loader = options.pop("loader", None)
    loaders = [base_loader] if base_loader is not None else []
    loaders.append(PackageLoader("nhsuk_frontend_jinja"))
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(loader=ChoiceLoader(loaders), **options)  # noqa: S701 - Django's backend sets autoescape
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "demo_data_loaded": demo_data_loaded,
            "crisis_lines": crisis_lines,
            "reference_attribution": reference_attribution,
            "site_url": settings.SITE_URL,
        }
    )
    from thrive.accounts.decorators import is_verified
    from thrive.accounts.navigation import navigation_for

    env.globals["navigation_for"] = navigation_for
    env.globals["is_verified"] = (
        is_verified  # an API key's request has no django-otp user: never crash a page
    )
    return env
