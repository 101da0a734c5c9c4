"""The renderers on small made-up data with known answers."""

import re
import xml.etree.ElementTree as ET

import pytest

from ackbench import html, plots
from ackbench.tables import Column, Table


def table():
    t = Table([Column("mode", 11, "<"), Column("size", 8), Column("p50", 9, fmt="{:.1f}"),
               Column("note", 0, "<", sep="  ")])
    t.add("keep", 64, 23.45, "within noise")
    t.add("per-message", 1024, None, "a|b")
    return t


def test_text():
    assert table().text() == (
        "mode            size       p50  note\n"
        "keep              64      23.4  within noise\n"
        "per-message     1024         -  a|b")


def test_markdown_escapes_pipes():
    assert table().markdown().splitlines() == [
        "| mode | size | p50 | note |", "|---|---|---|---|",
        "| keep | 64 | 23.4 | within noise |", "| per-message | 1024 | - | a\\|b |"]


def test_csv_and_tsv():
    assert table().csv() == "mode,size,p50,note\nkeep,64,23.4,within noise\nper-message,1024,-,a|b\n"
    t = Table([Column("a"), Column("b")])
    t.add('x,"y"', 1)
    assert t.csv() == 'a,b\n"x,""y""",1\n'
    assert t.csv("\t") == 'a\tb\n"x,""y"""\t1\n'


def test_add_checks_width():
    with pytest.raises(ValueError):
        table().add(1, 2)


def test_markdown_to_html():
    out = html.markdown_to_html("# T<1>\n\n- a & b\n- c\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n"
                                "para one\npara two\n## Sub")
    assert out.splitlines() == [
        "<h1>T&lt;1&gt;</h1>", "<ul>", "<li>a &amp; b</li>", "<li>c</li>", "</ul>", "<table>",
        "<tr><th>x</th><th>y</th></tr>", "<tr><td>1</td><td>2</td></tr>", "</table>", "<p>",
        "para one", "para two", "</p>", "<h2>Sub</h2>"]


def test_plots_files(tmp_path):
    fig, ax = plots.figure("Cost", xlabel="microseconds")
    plots.bars(ax, ["a", "b", "c"], [10.0, -2.0, 5.0], [8.0, -3.0, None], [12.0, -1.0, None],
               series=["x", "x", "y"])
    paths = plots.save(fig, tmp_path / "bars")
    assert [p.rsplit(".", 1)[1] for p in paths] == ["png", "svg"]
    assert (tmp_path / "bars.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    root = ET.parse(tmp_path / "bars.svg").getroot()
    assert root.tag.endswith("svg")
    svg = (tmp_path / "bars.svg").read_text()
    # text kept as text; labels, values and the legend present
    for s in (">Cost<", ">a<", ">b<", ">10.0<", ">-2.0<", ">x<", ">y<", ">microseconds<"):
        assert s in svg, s


def test_lines_and_inline_report():
    fig, ax = plots.figure("Record cost", xlabel="bytes")
    plots.lines(ax, {"tls": ([64, 1024, 16384], [5.0, 6.0, 30.0], [4.0, None, 28.0],
                             [6.0, None, 33.0]), "dtls": ([64, 1024], [7.0, 9.0])}, logx=True)
    r = html.Report("R & D")
    r.heading("Plots")
    r.paragraph("x < y")
    r.table(table())
    r.figure(fig)
    doc = r.html()
    assert doc.startswith("<!DOCTYPE html>") and "<title>R &amp; D</title>" in doc
    assert "<p>x &lt; y</p>" in doc and "<td>within noise</td>" in doc
    assert doc.count("<svg") == 1 and "<?xml" not in doc
    # self-contained: nothing fetched (no http(s) link, script or external reference)
    assert not re.search(r"(src|href)=\"(https?:)?//", doc) and "<script" not in doc
    assert ">tls<" in doc and ">dtls<" in doc
