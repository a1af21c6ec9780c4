"""What a report is asked for (its parameters), checked at the boundary with a Vietnamese message
per field: the period and its grouping, the year, the agency (engine.reporting.reports reads them)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from engine.core.errors import InvalidData

MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_DAYS_BY_DAY = 366  # a daily breakdown of more than a year is unreadable
MAX_DAYS = 10 * 366


class Grouping(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# ---- query parameters ------------------------------------------------------------------


def _reject_unknown(args: Mapping[str, str], allowed: Iterable[str], errors: dict[str, str]) -> None:
    known = set(allowed)
    for name in args:
        if name not in known:
            errors[name] = f"Tham số không được hỗ trợ (chỉ nhận: {', '.join(sorted(known))})."


def _date_arg(args: Mapping[str, str], name: str, errors: dict[str, str], required: bool) -> date | None:
    given = args.get(name)
    if given is None or given == "":
        if required:
            errors[name] = "Bắt buộc, dạng YYYY-MM-DD."
        return None
    try:
        value = date.fromisoformat(given)
    except ValueError:
        errors[name] = f"Ngày '{given[:20]}' không hợp lệ, dùng dạng YYYY-MM-DD."
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        errors[name] = f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}."
        return None
    return value


def year_arg(args: Mapping[str, str], errors: dict[str, str]) -> int | None:
    given = args.get("year")
    if given is None or given == "":
        return None
    if not (given.isascii() and given.isdigit() and MIN_YEAR <= int(given) <= MAX_YEAR):
        errors["year"] = f"Năm phải là số từ {MIN_YEAR} đến {MAX_YEAR}."
        return None
    return int(given)


def agency_arg(args: Mapping[str, str], errors: dict[str, str]) -> str | None:
    given = args.get("agency")
    if given is None or given == "":
        return None
    if len(given) > 32:
        errors["agency"] = "Mã cơ quan tối đa 32 ký tự."
        return None
    return given


def raise_if_any(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidData("Tham số không hợp lệ.", errors)


@dataclass(frozen=True)
class SummaryParams:
    start: date
    end: date
    group: Grouping
    agency: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> SummaryParams:
        errors: dict[str, str] = {}
        _reject_unknown(args, ("agency", "from", "to", "group"), errors)
        agency = agency_arg(args, errors)
        start = _date_arg(args, "from", errors, required=True)
        end = _date_arg(args, "to", errors, required=True)
        group_text = args.get("group") or Grouping.MONTH.value
        if group_text not in {g.value for g in Grouping}:
            errors["group"] = "Chọn một trong: day, month, quarter, year."
        if start is not None and end is not None:
            if start > end:
                errors["to"] = "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
            elif group_text == Grouping.DAY and (end - start).days >= MAX_DAYS_BY_DAY:
                errors["to"] = f"Báo cáo theo ngày tối đa {MAX_DAYS_BY_DAY} ngày; hãy chọn theo tháng."
            elif (end - start).days >= MAX_DAYS:
                errors["to"] = "Kỳ báo cáo tối đa 10 năm."
        raise_if_any(errors)
        assert start is not None and end is not None
        return cls(start=start, end=end, group=Grouping(group_text), agency=agency)


@dataclass(frozen=True)
class DailyParams:
    day: date | None = None  # today when not given
    agency: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> DailyParams:
        errors: dict[str, str] = {}
        _reject_unknown(args, ("agency", "date"), errors)
        agency = agency_arg(args, errors)
        day = _date_arg(args, "date", errors, required=False)
        raise_if_any(errors)
        return cls(day=day, agency=agency)


@dataclass(frozen=True)
class YearParams:
    year: int | None = None  # this year when not given
    agency: str | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> YearParams:
        errors: dict[str, str] = {}
        _reject_unknown(args, ("agency", "year"), errors)
        agency = agency_arg(args, errors)
        year = year_arg(args, errors)
        raise_if_any(errors)
        return cls(year=year, agency=agency)


# ---- who may read ----------------------------------------------------------------------
