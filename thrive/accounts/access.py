"""Who may use the sign-in and administration routes."""

from thrive.core.access_rules import PUBLIC, Rule

ADMIN = Rule(roles=frozenset({"administrator"}))
SIGNING_IN = Rule(signed_in=True, note="reached between the password and the second factor")

ACCESS = {
    "login": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "two-factor": SIGNING_IN,
    "two-factor-setup": SIGNING_IN,
    "reauthenticate": SIGNING_IN,
    "logout-confirm": SIGNING_IN,
    "admin-home": ADMIN,
    "admin-organisation-new": ADMIN,
    "admin-organisation": ADMIN,
    "admin-api-keys": ADMIN,
    "admin-api-key-revoke": ADMIN,
    "admin-user-new": ADMIN,
    "admin-user": ADMIN,
    "admin-membership-new": ADMIN,
    "admin-membership-end": ADMIN,
}
