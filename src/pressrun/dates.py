"""The date a build records: never the clock, so the same manuscript gives the same bytes."""

from __future__ import annotations

import datetime
import os

from pressrun.model import Metadata
from pressrun.problems import PressrunError, printable

FIXED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def build_date(metadata: Metadata) -> datetime.datetime:
    """``SOURCE_DATE_EPOCH`` when set, else the manuscript's ``date``, else a fixed date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
        except (ValueError, OverflowError, OSError):
            raise PressrunError(f"SOURCE_DATE_EPOCH is {printable(epoch[:40])!r}: it must be "
                                "a whole number of seconds since 1970 (as `date +%s` "
                                "prints), or unset", code="bad-environment") from None
    if metadata.date:
        parts = [int(p) for p in metadata.date.split("-")] + [1, 1]
        return datetime.datetime(parts[0], parts[1], parts[2], tzinfo=datetime.UTC)
    return FIXED_DATE
