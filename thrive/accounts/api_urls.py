"""Accounts has no API routes of its own yet; keys are managed in the admin pages and by `thrive apikey`."""

urlpatterns: list = []
