"""Who may use the core routes."""

from thrive.core.access_rules import ALL_STAFF, PUBLIC, Rule

ACCESS = {
    "staff-home": Rule(roles=ALL_STAFF),
    "audit-log": Rule(roles=frozenset({"surveillance_lead", "administrator"})),
    "api-schema": PUBLIC,
    "api-docs": PUBLIC,
    "health": PUBLIC,
    "notifications-inbox": Rule(roles=ALL_STAFF, note="each user sees only their own notifications"),
    "notifications-badge": Rule(roles=ALL_STAFF, note="each user sees only their own count"),
}
