"""Dates of the mirror: derived from an article's index, never from the clock.

Article ``i`` is published on :func:`day_of` ``(i)``: the seed page's related stories from
2024-05-28, the seed on 2024-05-31, then later articles on non-decreasing days that approach the
end of 2025 (so any mirror size stays in the past). WordPress pages are dated in 2026.
"""

from __future__ import annotations

import datetime as dt

BASE_DAY = dt.date(2024, 5, 28)
"""Day of the first article (the seed's first related story)."""
SEED_INDEX = 29
"""Index of the seed page: after the 29 related stories it links to (1 + 7 blocks of 4)."""
AEST = dt.timezone(dt.timedelta(hours=10), "AEST")

MONTHS_FULL = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)


def day_of(i: int) -> dt.date:
    """Publication day of article ``i``: non-decreasing in ``i``, bounded.

    >>> day_of(0), day_of(29)
    (datetime.date(2024, 5, 28), datetime.date(2024, 5, 31))
    >>> day_of(10_000) <= day_of(100_000) < dt.date(2026, 1, 1)
    True
    >>> day_of(300)  # a 300-article mirror reaches September (AFP's 'Sept')
    datetime.date(2024, 9, 29)
    """
    if i <= SEED_INDEX:
        return BASE_DAY + dt.timedelta(days=(3 * i) // SEED_INDEX)
    k = i - SEED_INDEX
    return dt.date(2024, 5, 31) + dt.timedelta(days=(570 * k) // (k + 1000))


def wp_time(i: int, minute_of_day: int) -> str:
    """ISO datetime with offset of a WordPress post (2026), e.g. '2026-01-05T09:30:00+10:00'.

    >>> wp_time(0, 570)
    '2026-01-05T09:30:00+10:00'
    """
    day = dt.date(2026, 1, 5) + dt.timedelta(days=(300 * i) // (i + 5000))
    t = dt.datetime.combine(day, dt.time(minute_of_day // 60, minute_of_day % 60), AEST)
    return t.isoformat()


def spacewar2026_day(i: int) -> dt.date:
    """Day of a page of the March 2026 spacewar layout: early January to the end of March 2026.

    >>> spacewar2026_day(0), spacewar2026_day(100_000) <= dt.date(2026, 3, 31)
    (datetime.date(2026, 1, 2), True)
    """
    return dt.date(2026, 1, 2) + dt.timedelta(days=(88 * i) // (i + 3000))


def dateline_date(day: dt.date, full_month: bool, pad: bool = True) -> str:
    """The date part of a dateline: 'Apr 04, 2013' or 'April 03, 2013' or 'Apr 2, 2013'.

    >>> dateline_date(dt.date(2013, 4, 4), False)
    'Apr 04, 2013'
    >>> dateline_date(dt.date(2013, 4, 3), True)
    'April 03, 2013'
    >>> dateline_date(dt.date(2013, 4, 2), False, pad=False)
    'Apr 2, 2013'
    """
    month = MONTHS_FULL[day.month - 1]
    month = month if full_month else month[:3]
    d = f"{day.day:02d}" if pad else str(day.day)
    return f"{month} {d}, {day.year}"


def rss_date(moment: dt.datetime) -> str:
    """The network feeds' date: upper-case month and the non-RFC zone name 'AEST'.

    >>> rss_date(dt.datetime(2013, 4, 4, 20, 37, 27))
    'Thu, 04 APR 2013 20:37:27 AEST'
    """
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return (
        f"{days[moment.weekday()]}, {moment.day:02d} {MONTHS_FULL[moment.month - 1][:3].upper()} "
        f"{moment.year} {moment:%H:%M:%S} AEST"
    )


def rfc822(moment: dt.datetime) -> str:
    """An RFC 822 date with numeric offset, as WordPress feeds send.

    >>> rfc822(dt.datetime(2026, 1, 5, 9, 30, tzinfo=AEST))
    'Mon, 05 Jan 2026 09:30:00 +1000'
    """
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return (
        f"{days[moment.weekday()]}, {moment.day:02d} {MONTHS_FULL[moment.month - 1][:3]} "
        f"{moment.year} {moment:%H:%M:%S} {moment:%z}"
    )


def epoch(day: dt.date, hour: int = 12) -> int:
    """Unix time of ``hour`` o'clock AEST on ``day``: the Last-Modified of pages of that day.

    >>> epoch(dt.date(2024, 5, 31))
    1717120800
    """
    return int(dt.datetime.combine(day, dt.time(hour), AEST).timestamp())


def afp_id(day: dt.date, seconds: int, suffix: str) -> str:
    """Spacewar's AFP page name: YYMMDDhhmmss.<8 chars>.

    >>> afp_id(dt.date(2024, 5, 31), 3723, "ab12cd34")
    '240531010203.ab12cd34'
    """
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{day:%y%m%d}{h:02d}{m:02d}{s:02d}.{suffix}"
