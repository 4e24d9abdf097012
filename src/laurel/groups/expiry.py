"""A credential template's expiry rule: N days, months or years after the issue date.

Months and years are calendar months: the day of the month is kept, and clamped to the last day
of a shorter month (31 January + 1 month is 28 or 29 February; 29 February + 1 year is
28 February).
"""

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta


class ExpiryUnit(enum.StrEnum):
    days = "days"
    months = "months"
    years = "years"


# The longest rule per unit: a century, whichever way it is counted.
MAX_AMOUNT = {ExpiryUnit.days: 36_525, ExpiryUnit.months: 1_200, ExpiryUnit.years: 100}


def add_months(start: date, months: int) -> date:
    """`start` moved by whole calendar months, its day clamped to the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


@dataclass(frozen=True)
class ExpiryRule:
    """Credentials made from the template expire `amount` `unit`s after their issue date."""

    amount: int
    unit: ExpiryUnit

    def after(self, issue_date: date) -> date:
        if self.unit == ExpiryUnit.days:
            return issue_date + timedelta(days=self.amount)
        months = self.amount if self.unit == ExpiryUnit.months else self.amount * 12
        return add_months(issue_date, months)

    def describe(self) -> str:
        """The rule in words, as the templates list shows it: "expires 2 years after issue"."""
        unit = self.unit.value if self.amount != 1 else self.unit.value.removesuffix("s")
        return f"expires {self.amount} {unit} after issue"
