"""What makes the dashboard presentable: round axes, named months, figures in the reader's language,
and a period picker that works without JavaScript."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from sharemarket.db import utcnow
from sharemarket.impact import charts, formats
from sharemarket.impact.aggregate import months_between

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("top", "axis"), [(0, 1), (30, 30), (31, 40), (11_300, 12_000), (483, 500), (0.7, 0.8), (8941, 10_000)]
)
def test_the_axis_ends_on_a_round_number(top, axis):
    assert charts.nice_top(top) == pytest.approx(axis)


def test_a_year_of_bars_names_every_other_month_and_the_years():
    series = {month: float(n) for n, month in enumerate(months_between(date(2025, 12, 1), date(2026, 11, 1)))}
    chart = charts.month_chart(series)
    assert [t.value for t in chart.ticks] == [0, 6, 12]
    assert [b.month.month for b in chart.bars if b.named] == [12, 2, 4, 6, 8, 10]
    assert [(b.month.year, b.month.month) for b in chart.bars if b.with_year] == [(2025, 12), (2026, 2)]
    assert chart.bars[0].height == 0 and chart.bars[0].y == chart.baseline
    assert not chart.empty and charts.month_chart(dict.fromkeys(series, 0.0)).empty


def test_the_tallest_bar_reaches_its_value_on_the_axis():
    chart = charts.month_chart({date(2026, 1, 1): 30.0, date(2026, 2, 1): 15.0})
    top, middle = chart.ticks[2], chart.ticks[1]
    assert chart.bars[0].y == top.y and chart.bars[1].y == middle.y


def test_figures_in_french_and_in_english(app):
    with app.test_request_context(), force_locale("fr"):
        assert formats.figure("km_shared", 63369.5) == f"63{NNBSP}370{NNBSP}km"
        assert formats.figure("money_saved_eur", 56030.4) == f"56{NNBSP}030{NBSP}€"
        assert formats.figure("co2_avoided_kg", 12230.4) == f"12,2{NNBSP}t"
        assert formats.figure("co2_avoided_kg", 830.2) == f"830{NNBSP}kg"
        assert formats.figure("loans", None) == "—"
        assert formats.percent(0.19) == f"19{NBSP}%"
        assert formats.month(date(2025, 12, 1)) == "déc. 2025"
        assert formats.month_long(date(2026, 2, 1)) == "février 2026"
    with app.test_request_context(), force_locale("en"):
        assert formats.figure("km_shared", 63369.5) == "63,370 km"
        assert formats.figure("money_saved_eur", 56030.4) == "€56,030"


def test_the_page_reads_in_french(client, town):
    page = client.get("/impact?from=2026-10&to=2026-10", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f"300{NBSP}€" in page and f"50{NBSP}%" in page and "octobre 2026" in page


def test_the_period_picker_is_plain_links_and_menus(client, town):
    page = client.get("/impact?from=2026-10&to=2026-10").get_data(as_text=True)
    assert '<select id="impact-from" name="from">' in page and '<option value="2026-10" selected>October 2026' in page
    last_year = utcnow().year - 1
    assert f'href="?from={last_year}-01&amp;to={last_year}-12">Last year</a>' in page
    assert "Last 12 months" in page and "This year" in page


def test_an_empty_period_says_so_instead_of_drawing_nothing(client, town):
    page = client.get("/impact?from=2020-01&to=2020-03").get_data(as_text=True)
    assert page.count("Nothing to show for this period") == 8
    assert "<svg" not in page.split('id="impact-monthly"')[1].split("</section>")[0]
    assert "No loans in this period." in page
