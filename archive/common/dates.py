"""Publication dates that may be only partly known.

A scraped report may state its full date, only a year, or only "Jan. 15"
with no year. We keep what is known and nothing more, and say the rest is
unknown rather than fill it in.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.dates import MONTHS_AP
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Reports on the DPRK's security agencies start after the state was founded;
# anything outside this window is a typo or a parsing accident.
EARLIEST_YEAR = 1945


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    DAY_NO_YEAR = "day-no-year", _("Day and month, year unknown")
    MONTH_NO_YEAR = "month-no-year", _("Month, year unknown")
    UNKNOWN = "unknown", _("Unknown")


@dataclass(frozen=True)
class PartialDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> DatePrecision:
        if self.year and self.month and self.day:
            return DatePrecision.DAY
        if self.year and self.month:
            return DatePrecision.MONTH
        if self.year:
            return DatePrecision.YEAR
        if self.month and self.day:
            return DatePrecision.DAY_NO_YEAR
        if self.month:
            return DatePrecision.MONTH_NO_YEAR
        return DatePrecision.UNKNOWN

    def errors(self, today: datetime.date | None = None) -> list[str]:
        """What makes this date impossible, in words an editor understands."""
        today = today or datetime.date.today()
        problems = []
        if self.year is not None and not EARLIEST_YEAR <= self.year <= today.year:
            problems.append(f"year {self.year} is outside {EARLIEST_YEAR}–{today.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            problems.append(f"month {self.month} does not exist")
        if self.day is not None:
            if self.month is None:
                problems.append("a day needs a month")
            elif 1 <= self.month <= 12:
                # With the year unknown, Feb. 29 must stay possible.
                last = calendar.monthrange(self.year or 2000, self.month)[1]
                if not 1 <= self.day <= last:
                    problems.append(f"day {self.day} does not exist in month {self.month}")
        full = self.year and self.month and self.day
        if full and not problems and datetime.date(self.year, self.month, self.day) > today:
            problems.append("the date is in the future")
        return problems

    def sort_date(self) -> datetime.date | None:
        """A date for ordering and date filters: only when the year is known."""
        if not self.year or self.errors():
            return None
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        """As readers write it: “Jan. 5, 2019”, or in Korean, year first, “2019년 1월 5일”."""
        korean = in_korean()
        month = self.month if korean else MONTHS_AP.get(self.month)
        written = (WRITTEN_KO if korean else WRITTEN)[self.precision]
        return written.format(year=self.year, month=month, day=self.day)


# How each precision is written, in English and in Korean.
WRITTEN = {
    DatePrecision.DAY: "{month} {day}, {year}",
    DatePrecision.MONTH: "{month} {year}",
    DatePrecision.YEAR: "{year}",
    DatePrecision.DAY_NO_YEAR: "{month} {day}, year unknown",
    DatePrecision.MONTH_NO_YEAR: "{month}, year unknown",
    DatePrecision.UNKNOWN: "Date unknown",
}
WRITTEN_KO = {
    DatePrecision.DAY: "{year}년 {month}월 {day}일",
    DatePrecision.MONTH: "{year}년 {month}월",
    DatePrecision.YEAR: "{year}년",
    DatePrecision.DAY_NO_YEAR: "{month}월 {day}일(연도 미상)",
    DatePrecision.MONTH_NO_YEAR: "{month}월(연도 미상)",
    DatePrecision.UNKNOWN: "날짜 미상",
}


def in_korean() -> bool:
    """Whether the page is being written in Korean (dates then put the year first)."""
    return (get_language() or "").startswith("ko")


def month_and_year(year: int | str, month: int) -> str:
    """“April 2012”, or in Korean “2012년 4월”."""
    return f"{year}년 {month}월" if in_korean() else f"{MONTHS_AP[month]} {year}"
