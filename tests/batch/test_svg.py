"""The report's hand-built SVG charts: coordinates checked by hand against the layout (plot
area 48 px from the left, 24 px from the top; line chart 760 × 260 with a 170 px legend and a
36 px axis band; bar chart bars from x = 190 over 280 px), labels escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assurance.batch.svg import bar_chart, line_chart

T0 = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_line_chart_points_and_incident_band() -> None:
    svg = line_chart(
        {"wan-link-health": [(T0, 100.0), (T0 + HOUR, 50.0)]},
        title="t",
        y_label="SLE %",
        bands=[(T0 + HOUR / 2, T0 + 2 * HOUR, "incident <isp>")],
    )
    # plot width 760 - 48 - 170 = 542, height 260 - 24 - 36 = 200; y = 0..100
    assert 'points="48.0,24.0 590.0,124.0"' in svg
    # the band is clipped to the data's end: from 30 min (x = 48 + 271) to 60 min
    assert '<rect x="319.0" y="24" width="271.0" height="200"' in svg
    assert "<title>incident &lt;isp&gt;</title>" in svg
    assert "13:00" in svg and "14:00" in svg  # time ticks


def test_a_missing_value_breaks_the_line() -> None:
    svg = line_chart(
        {"s": [(T0, 100.0), (T0 + HOUR / 2, None), (T0 + HOUR, 0.0)]}, title="t", y_label="%"
    )
    assert "<polyline" not in svg
    assert '<circle cx="48.0" cy="24.0"' in svg and '<circle cx="590.0" cy="224.0"' in svg


def test_empty_chart_says_so() -> None:
    assert "no data" in line_chart({}, title="t", y_label="%")


def test_bar_chart_widths_and_labels() -> None:
    svg = bar_chart([("loss", 50.0), ("a&b", 100.0)], title="c", unit="user-min")
    # scaled to the largest value: 50 of 100 over 280 px
    assert '<rect x="190" y="6" width="140.0" height="14"' in svg
    assert '<rect x="190" y="26" width="280.0" height="14"' in svg
    assert ">a&amp;b<" in svg and ">50 user-min<" in svg
