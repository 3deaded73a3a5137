"""Calendar quarters as the chartbook names them ("Q4 2024", "Fourth quarter")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ORDINALS = ("First", "Second", "Third", "Fourth")
_PATTERN = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(text.strip())
        if match is None:
            raise ValueError(f"not a quarter (YYYYQn, e.g. 2024Q4): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    @property
    def ordinal(self) -> str:
        return _ORDINALS[self.number - 1]

    def minus(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.number - 1 - quarters
        return Quarter(index // 4, index % 4 + 1)
