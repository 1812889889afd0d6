from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sharemarket.extensions import db


class ImpactFigure(db.Model):
    """One pre-aggregated figure: `dimension` (loans, km...), `key` (a category, a space id or
    "all"), the first day of its period (a month; a week's Monday for desk occupancy), its value
    and how many distinct people it was computed from (figures from fewer than 5 are suppressed
    in public)."""

    __tablename__ = "impact_monthly"

    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    value: Mapped[float] = mapped_column(Float)
    people: Mapped[int] = mapped_column(Integer)
