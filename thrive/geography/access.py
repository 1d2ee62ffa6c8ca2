"""Who may use the staff area pages: every role whose work is about places (see `Permission.AREAS_VIEW`)."""

from thrive.accounts.permissions import ROLES, Permission
from thrive.core.access_rules import Rule

AREAS = Rule(
    roles=frozenset(key for key, role in ROLES.items() if Permission.AREAS_VIEW in role.grants),
    note="reference data (ONS boundaries, population, deprivation): not limited by scope",
)

ACCESS = {
    "geography:index": AREAS,
    "geography:area": AREAS,
    "geography:geojson": AREAS,
}
