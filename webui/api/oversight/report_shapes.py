"""What the reports of the JSON API answer (báo cáo tổng hợp, sổ ký nhận văn bản đến, tuân thủ
ký số), for the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Group = Literal["day", "month", "quarter", "year"]
Role = Literal["main", "co", "info"]


class Agency(BaseModel):
    code: str
    name: str


class ReportUnit(BaseModel):
    """null: chưa giao đơn vị"""

    id: int
    code: str
    name: str


class Counts(BaseModel):
    incoming: int
    outgoing: int
    processed: int
    unprocessed: int
    overdue: int
    recalled: int
    corrected: int
    replaced: int
    voided: int
    notices: int


class Period(Counts):
    period: str = Field(examples=["2026-03-02", "2026-03", "2026-Q1", "2026"])
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})


class UnitCounts(Counts):
    unit: ReportUnit | None
    periods: list[Period]


class SummaryReport(BaseModel):
    agency: Agency
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    to: str = Field(json_schema_extra={"format": "date"})
    group: Group
    as_of: str = Field(json_schema_extra={"format": "date"})
    totals: Counts
    periods: list[Period]
    units: list[UnitCounts]


class Receiver(BaseModel):
    role: Role
    unit: ReportUnit | None


class DailyItem(BaseModel):
    """Một văn bản đến; với văn bản mật và người không được xem (hidden: true), trích yếu, số ký
    hiệu, cơ quan ban hành và ngày văn bản để trống."""

    id: int
    book: str
    number: int
    hidden: bool
    subject: str | None
    receivers: list[Receiver]


class UnitDocuments(BaseModel):
    unit: ReportUnit | None
    documents: list[int]


class DailyIncoming(BaseModel):
    agency: Agency
    date: str = Field(json_schema_extra={"format": "date"})
    total: int
    items: list[DailyItem]
    units: list[UnitDocuments]


class SignatureCounts(BaseModel):
    issued: int
    valid: int
    paper: int
    secret: int
    unsigned: int
    invalid: int
    noncompliant: int


class Month(SignatureCounts):
    month: str = Field(examples=["2026-03"])


class UnitSignatures(SignatureCounts):
    unit: ReportUnit | None


class ComplianceReport(BaseModel):
    agency: Agency
    year: int
    totals: SignatureCounts
    months: list[Month]
    units: list[UnitSignatures]
    items: list[dict[str, Any]] = Field(description="Văn bản đi không có chữ ký số hợp lệ (kể cả ký giấy)")
