"""Staff pages. Each view is thin: it parses the request, calls one selector or service, renders."""

from __future__ import annotations

from ceangal.policy.purposes import Purpose

# Staff pages show a client's record to coordinate their support; other purposes (referral,
# reporting) have their own pages and selectors.
PURPOSE = Purpose.SUPPORT_COORDINATION
