"""Who may use each detection page: surveillance leads (the role that manages alerts), within their scope.

The views enforce the permission with `staff_required`; an alert outside the lead's scope is a 404, the same
as one that does not exist (`selectors.get_alert_for_user`). The parameters page lets only a region-wide lead
save.
"""

from __future__ import annotations

from thrive.core.access_rules import Rule

LEADS = frozenset({"surveillance_lead"})
IN_SCOPE = "alerts in the lead's scope only; cases shown within the lead's reach"

ACCESS: dict[str, Rule] = {
    "detection:alert-list": Rule(roles=LEADS, note="alerts in the lead's scope only"),
    "detection:alert-detail": Rule(roles=LEADS, note=IN_SCOPE),
    "detection:alert-map": Rule(roles=LEADS, note=IN_SCOPE + "; exact points need LOCATION_POINTS_VIEW"),
    "detection:alert-status": Rule(roles=LEADS, note=IN_SCOPE),
    "detection:alert-assign": Rule(roles=LEADS, note=IN_SCOPE),
    "detection:alert-note": Rule(roles=LEADS, note=IN_SCOPE),
    "detection:alert-action": Rule(roles=LEADS, note=IN_SCOPE),
    "detection:alert-action-done": Rule(roles=LEADS, note=IN_SCOPE),
    "detection:run-list": Rule(roles=LEADS),
    "detection:parameters": Rule(roles=LEADS, note="saving needs a region-wide scope"),
}
