"""Geometry for server-rendered SVG bar charts (drawn by templates/impact/_chart.html)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_BOTTOM, PAD_TOP = 600, 220, 30, 20


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float


def bars(points: list[tuple[str, float]]) -> list[Bar]:
    """One bar per (label, value), scaled to the tallest, left to right."""
    if not points:
        return []
    top = max(value for _label, value in points) or 1.0
    slot = WIDTH / len(points)
    usable = HEIGHT - PAD_BOTTOM - PAD_TOP
    result = []
    for index, (label, value) in enumerate(points):
        height = usable * value / top
        result.append(
            Bar(
                x=round(index * slot + slot * 0.15, 1),
                y=round(HEIGHT - PAD_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label,
                value=value,
            )
        )
    return result
