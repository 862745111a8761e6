"""Stale-data rules: why a profile needs a refresh before anyone contacts the person.

Pure functions over what the profile page already loads, so the warning costs no query.
A profile is stale when nobody changed or confirmed it for the workspace's number of months,
when one of its e-mails bounced, or when one of its phone numbers was marked invalid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

NOT_REFRESHED = "not_refreshed"
EMAIL_BOUNCED = "email_bounced"
PHONE_INVALID = "phone_invalid"
REASONS = {
    NOT_REFRESHED: "Not refreshed",
    EMAIL_BOUNCED: "Bounced e-mail",
    PHONE_INVALID: "Invalid phone",
}


@dataclass(frozen=True)
class StaleReason:
    code: str  # one of REASONS
    message: str


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (31 March - 1 month = 28/29
    February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):  # the last day the earlier month has
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def stale_reasons(
    *,
    updated_at: dt.datetime,
    months: int,
    now: dt.datetime,
    bounced_emails: Iterable[str] = (),
    invalid_phones: Iterable[str] = (),
) -> list[StaleReason]:
    """Every reason the profile needs a refresh, the oldest-data reason first; [] if none."""
    reasons: list[StaleReason] = []
    if months and updated_at < months_before(now, months):
        reasons.append(
            StaleReason(
                NOT_REFRESHED,
                f"Not changed or confirmed since {updated_at:%-d %b %Y} "
                f"(the workspace flags profiles after {months} months).",
            )
        )
    reasons.extend(
        StaleReason(EMAIL_BOUNCED, f"E-mail to {email} bounced.") for email in bounced_emails
    )
    reasons.extend(
        StaleReason(PHONE_INVALID, f"{number} was marked invalid.") for number in invalid_phones
    )
    return reasons
