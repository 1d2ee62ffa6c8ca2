"""The referral workflow: which status may follow which, and the plain-language reason when one may not.

    new → accepted → contact attempted → contacted → supporting → closed
    or: declined (after contact), unable to contact (after attempts), transferred (at any open step)

"Contact attempted" and "contacted" are reached by recording a contact attempt (its outcome decides which), so
the time, channel and outcome of every contact are known; "transferred" needs the service it goes to. Someone
who could not be reached may still get in touch, so "unable to contact" can become "contacted".
"""

from __future__ import annotations

from thrive.referrals.models import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.ACCEPTED, Status.TRANSFERRED}),
    Status.ACCEPTED: frozenset({Status.CONTACT_ATTEMPTED, Status.CONTACTED, Status.TRANSFERRED}),
    Status.CONTACT_ATTEMPTED: frozenset({Status.CONTACTED, Status.UNABLE_TO_CONTACT, Status.TRANSFERRED}),
    Status.CONTACTED: frozenset({Status.SUPPORTING, Status.DECLINED, Status.CLOSED, Status.TRANSFERRED}),
    Status.SUPPORTING: frozenset({Status.CLOSED, Status.TRANSFERRED}),
    Status.UNABLE_TO_CONTACT: frozenset({Status.CONTACTED, Status.CLOSED}),
    Status.DECLINED: frozenset(),
    Status.CLOSED: frozenset(),
    Status.TRANSFERRED: frozenset(),
}
# Set by recording a contact attempt, never directly.
BY_ATTEMPT = frozenset({Status.CONTACT_ATTEMPTED, Status.CONTACTED})
# A contact attempt may be recorded in these states.
ATTEMPTABLE = frozenset({Status.ACCEPTED, Status.CONTACT_ATTEMPTED, Status.UNABLE_TO_CONTACT})


class TransitionError(ValueError):
    """A change the workflow does not allow; `field` names what was wrong (for the API's error paths)."""

    def __init__(self, message: str, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


def label(status: str) -> str:
    return str(Status(status).label).lower()


def check_transition(current: str, wanted: str) -> None:
    """Raise TransitionError when `wanted` may not follow `current` as a direct change of status."""
    if wanted not in Status.values:
        raise TransitionError(f"'{wanted}' is not a referral status. Use one of: {', '.join(Status.values)}.")
    if wanted == current:
        raise TransitionError(f"The referral is already {label(current)}.")
    if wanted in BY_ATTEMPT:
        raise TransitionError(
            f"Record a contact attempt to make the referral {label(wanted)}: its outcome sets the status."
        )
    allowed = TRANSITIONS[current]
    if wanted not in allowed:
        if not allowed:
            raise TransitionError(f"The referral is {label(current)}: its status can no longer change.")
        choices = ", ".join(label(s) for s in Status if s in allowed and s not in BY_ATTEMPT) or "none"
        raise TransitionError(
            f"A referral that is {label(current)} cannot become {label(wanted)}. "
            f"It can become: {choices}" + (", or record a contact attempt." if allowed & BY_ATTEMPT else ".")
        )


def next_statuses(current: str) -> list[str]:
    """The statuses a person may choose next (those set by a contact attempt are left out)."""
    return [s for s in Status if s in TRANSITIONS[current] and s not in BY_ATTEMPT]


def status_after_attempt(current: str, *, reached: bool) -> str:
    """The status a contact attempt leads to; raises TransitionError where attempts are not expected."""
    if current not in ATTEMPTABLE:
        if current == Status.NEW:
            raise TransitionError("Accept the referral before recording contact attempts.", "contact_attempt")
        raise TransitionError(
            f"The referral is {label(current)}: contact attempts are recorded only before first contact.",
            "contact_attempt",
        )
    if reached:
        return Status.CONTACTED
    return Status.CONTACT_ATTEMPTED if current == Status.ACCEPTED else current
