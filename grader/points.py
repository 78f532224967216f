"""Points that add up exactly: rounding a list of shares so the rounded shares sum to the total.

Rounding each share on its own loses the total: 120 points over 21 equal checks is 5.714286
a check (6 decimals), and 21 × 5.714286 = 120.000006. The largest-remainder rule (Hamilton's
method) keeps it:

1. write every share in units of the last decimal kept (10⁻ᵖ) and round it down;
2. the total in the same units, minus the sum of those floors, is the number of units left
   over (between 0 and the number of shares);
3. give one unit each to the shares whose rounded-down part was largest (the earlier share
   first when two are equal).

So 10 points over 3 equal checks at 2 decimals is 3.34 + 3.33 + 3.33 = 10.00, and no
share moves by a full unit or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

GRADING_PLACES = 6  # the results JSON keeps points to 6 decimals
DISPLAY_PLACES = 2  # pages and tables show points to 2 decimals


def apportion(shares: Sequence[float], total: float, places: int) -> list[float]:
    """`shares` rounded to `places` decimals so that they add up to `total` rounded the same way.

    `shares` must already add up to `total` to within one unit of the last decimal per share
    (a scaled list of weights does); otherwise the rule has nothing to share out and this
    raises `ValueError`.
    """
    unit = Decimal(1).scaleb(-places)
    target = int(Decimal(repr(total)).quantize(unit, ROUND_HALF_EVEN).scaleb(places))
    exact = [Decimal(share).scaleb(places) for share in shares]  # Decimal(float) is exact
    floors = [int(x.to_integral_value(ROUND_FLOOR)) for x in exact]
    left = target - sum(floors)
    if not 0 <= left <= len(shares):
        raise ValueError(f"shares {list(shares)} do not add up to {total}")
    by_remainder = sorted(range(len(shares)), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [float(Decimal(units).scaleb(-places)) for units in floors]


def exact_sum(values: Sequence[float], places: int = GRADING_PLACES) -> float:
    """The sum of numbers written to `places` decimals, without float round-off: 0.1 + 0.2 = 0.3."""
    return float(
        sum((Decimal(repr(v)) for v in values), Decimal(0)).quantize(Decimal(1).scaleb(-places))
    )


def shown_points(values: Sequence[float], places: int = DISPLAY_PLACES) -> list[float]:
    """`values` rounded to `places` decimals (2 for display) so that they keep their sum."""
    return apportion(values, exact_sum(values), places) if values else []
