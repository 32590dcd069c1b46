"""The server-side SVG charts: valid XML, accessible, the right number of marks, values to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from reporting import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    assert "style=" not in svg and "<script" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    title = root.find(f"{NS}title")
    assert title is not None and root.get("aria-labelledby") == title.get("id")
    return root


def test_bar_chart_scales_the_bars_and_escapes_labels():
    svg = charts.bar_chart(
        [("Ajaccio <AJA>", Decimal("200.00")), ("Bastia & co", Decimal("50.00")), ("Web", Decimal("-3"))],
        title="Revenue by store",
    )
    root = parse(svg)
    assert root.find(f"{NS}title").text == "Revenue by store"
    bars = root.findall(f".//{NS}rect")
    assert len(bars) == 3
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] == 720 - 200 - 110  # the largest: the full plot width
    assert widths[1] == widths[0] / 4 and widths[2] == 0  # 50 / 200; a negative draws nothing
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert "Ajaccio <AJA>" in labels and "Bastia & co" in labels


def test_line_chart_points_and_comparison():
    points = [("01/11", Decimal("10")), ("02/11", Decimal("40")), ("03/11", Decimal("0"))]
    root = parse(
        charts.line_chart(points, compare=[Decimal("20"), 5, 0], title="Per day", compare_label="LY")
    )
    circles = root.findall(f".//{NS}circle")
    assert len(circles) == 3
    # the axis top is 50 (nice_top(40)): 40 is 4/5 of the 204 px plot from its bottom at y=232
    assert [float(c.get("cy")) for c in circles] == [
        round(232 - 204 * 10 / 50, 1),
        round(232 - 204 * 40 / 50, 1),
        232,
    ]
    compare = root.find(f".//{NS}polyline[@class='chart__compare']")
    assert compare is not None and len(compare.get("points").split()) == 3
    assert charts.nice_top(40) == 50 and charts.nice_top(101) == 200 and charts.nice_top(0) == 1


def test_heatmap_cells_and_levels():
    matrix = [[0] * 24 for _ in range(7)]
    matrix[2][10] = Decimal("100")
    matrix[5][15] = Decimal("10")
    root = parse(
        charts.heatmap(matrix, title="Heat", rows=list("MTWTFSS"), columns=[str(h) for h in range(24)])
    )
    cells = root.findall(f".//{NS}rect")
    assert len(cells) == 7 * 24
    levels = [c.get("class").split("--")[1] for c in cells]
    assert levels[2 * 24 + 10] == "5" and levels[5 * 24 + 15] == "1" and levels.count("0") == 166
    assert cells[2 * 24 + 10].find(f"{NS}title").text == "W 10: 100.00"


def test_empty_charts_are_still_valid():
    parse(charts.bar_chart([], title="Nothing"))
    parse(charts.line_chart([], title="Nothing"))
    parse(charts.heatmap([], title="Nothing", rows=[], columns=[]))


def test_a_long_label_is_shortened_to_fit_left_of_the_bars_and_kept_whole_in_the_tooltip():
    name = "Pozzavona organic cotton jacket with a hood"
    svg = str(charts.bar_chart([(name, 10), ("Mug", 5)], title="Top products"))
    shown = re.findall(r'<text class="chart__label"[^>]*>([^<]*)</text>', svg)
    assert shown[1] == "Mug"
    assert shown[0].endswith("…") and name.startswith(shown[0][:-1])
    assert len(shown[0]) * 7.6 <= 200 - 8  # about 7.6 px a character at 13 px: inside the label column
    assert f"<title>{name}: " in svg
