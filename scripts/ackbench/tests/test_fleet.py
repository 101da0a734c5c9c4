"""ackbench fleet on a made-up fleet run directory."""

import json
import os

import pytest

from ackbench import cmd_fleet, reader
from ackbench.records import FormatError


def summary(proto, rnd, hs, exch, size=64):
    ph = lambda v: {"n": 5, "min": v, "p50": v, "p90": v, "p99": v, "max": v, "mean": v,
                    "stddev": 0}
    return {"tool": "ackbench", "proto": proto, "mode": "per-message", "count": 5,
            "sizes": [{"size": size, "n": 5, "lost": 0, "handshake": ph(hs),
                       "exchange": ph(exch), "total": ph(hs + exch + 30)}]}


def make_run(tmp_path, rounds=6, statuses=None):
    """Boards a, b, c; pairs a->b and b->a measured ROUNDS times, c->a never run.
    tls handshake of round r: 100 + r (a->b) and 200 + r (b->a); tls exchange 10 above
    tcp's in every round."""
    run = tmp_path / "run"
    lines = []
    for r in range(1, rounds + 1):
        for c, s, base in (("a", "b", 100), ("b", "a", 200)):
            lines.append(f"{r}\t{c}\t{s}\tmbedtls")
            d = run / "pairs" / f"{c}--{s}" / "mbedtls" / f"r{r}"
            (d / "client" / "run").mkdir(parents=True)
            (d / "status").write_text((statuses or {}).get((c, s, r), "ok") + "\n")
            (d / "client" / "run" / "tcp-per-message.json").write_text(
                json.dumps(summary("tcp", r, 0.1, 40.0 + r)))
            (d / "client" / "run" / "tls-per-message.json").write_text(
                json.dumps(summary("tls", r, base + r, 50.0 + r)))
            (d / "client" / "run" / "env.txt").write_text(f"cpu: cpu-of-{c}\n")
    lines.append("1\tc\ta\tmbedtls")
    (run / "schedule.tsv").write_text("\n".join(lines) + "\n")
    for b, arch in (("a", "x86_64"), ("b", "aarch64")):
        (run / "boards" / b).mkdir(parents=True)
        (run / "boards" / b / "check.txt").write_text(f"arch=x86_64\narch_used={arch}\n")
    (run / "summary.txt").write_text("ok board a: x86_64, v\nok board b: aarch64, v\n"
                                     "FAILED board c: clock: before notBefore\n")
    return run


def test_read_fleet(tmp_path):
    run = reader.read_fleet(make_run(tmp_path))
    assert run.boards == ["a", "b", "c"]  # sorted
    assert len(run.measurements) == 13
    m = run.measurements[0]
    assert (m.round, m.client, m.server, m.status) == (1, "a", "b", "ok")
    assert sorted(s.proto for s in m.summaries) == ["tcp", "tls"]
    assert all(s.round == 1 for s in m.summaries)
    assert run.measurements[-1].status == "" and run.measurements[-1].summaries == []
    assert run.board_info["b"] == {"arch": "aarch64", "status": "ok", "cpu": "cpu-of-b"}
    assert run.board_info["c"] == {"status": "FAILED"}


def test_read_fleet_malformed(tmp_path):
    run = make_run(tmp_path)
    (run / "schedule.tsv").write_text("1\ta\tb\tmbedtls\nx\ta\n")
    with pytest.raises(FormatError, match=r"schedule.tsv:2: not ROUND"):
        reader.read_fleet(run)


def test_pair_rows(tmp_path):
    points = cmd_fleet.points_of(reader.read_fleet(make_run(tmp_path)))
    rows = {(r.client, r.server, r.proto): r for r in cmd_fleet.pair_rows(points)}
    tls = rows[("a", "b", "tls")]
    assert tls.rounds == 6
    assert tls.handshake.median == 103.5
    assert (tls.handshake.lo, tls.handshake.hi) == (101, 106)  # 6 rounds: k = 1 at 95%
    assert tls.record.median == pytest.approx(10.0)
    assert tls.record.lo == pytest.approx(10.0) and tls.record.hi == pytest.approx(10.0)
    assert rows[("a", "b", "tcp")].handshake is None  # no handshake cost for tcp
    assert rows[("b", "a", "tls")].handshake.median == 203.5


def test_too_few_rounds(tmp_path):
    points = cmd_fleet.points_of(reader.read_fleet(make_run(tmp_path, rounds=2)))
    r = [r for r in cmd_fleet.pair_rows(points) if r.proto == "tls"][0]
    assert not r.record.has_interval
    assert cmd_fleet.record_text(r.record) == "+10.0 (no CI)"
    assert cmd_fleet.ci_text(r.handshake) == "101.5"


def test_grid(tmp_path):
    points = cmd_fleet.points_of(reader.read_fleet(make_run(tmp_path)))
    size, grid = cmd_fleet.handshake_grid(points, "mbedtls", "tls")
    assert size == 64
    assert grid == {("a", "b"): 103.5, ("b", "a"): 203.5}
    t = cmd_fleet.grid_table(grid, ["a", "b", "c"]).text().splitlines()
    assert t[1].split() == ["a", "x", "104"] or t[1].split() == ["a", "x", "103"]
    assert t[2].split() == ["b", "204", "x"] or t[2].split() == ["b", "203", "x"]


def test_main(tmp_path, capsys):
    run = make_run(tmp_path, statuses={("b", "a", 3): "failed: a unreachable"})
    out = tmp_path / "rep"
    assert cmd_fleet.main(["-o", str(out), str(run)]) == 0
    text = capsys.readouterr().out
    assert "a -> b" in text and "b -> a" in text
    assert "c -> a mbedtls r1: not run" in text
    assert "b -> a mbedtls r3: failed: a unreachable" in text
    for name in ("index.html", "report.txt", "report.md", "pairs.tsv", "handshake.tsv",
                 "handshake-tls-mbedtls.svg", "handshake-tls-mbedtls.png",
                 "pairs-tls-mbedtls.svg"):
        assert os.path.getsize(out / name) > 0, name
    tsv = (out / "handshake.tsv").read_text().splitlines()
    assert tsv[1:] == ["a\tb\tmbedtls\ttls\t64\t103.5", "b\ta\tmbedtls\ttls\t64\t203.5"]
    assert "<svg" in (out / "index.html").read_text()


def test_twenty_boards(tmp_path):
    """Every ordered pair of 20 boards: the grid is 20 x 20 less the diagonal, boards in
    their natural order (b2 before b10), and the per-pair bars give way to the heat map."""
    run = tmp_path / "run"
    names = [f"b{i}" for i in range(1, 21)]
    lines = []
    for c in names:
        for s in names:
            if c == s:
                continue
            lines.append(f"1\t{c}\t{s}\tmbedtls")
            d = run / "pairs" / f"{c}--{s}" / "mbedtls" / "r1" / "client" / "run"
            d.mkdir(parents=True)
            (d / "tls-per-message.json").write_text(json.dumps(summary("tls", 1, 1000.0, 50.0)))
    (run / "schedule.tsv").write_text("\n".join(reversed(lines)) + "\n")
    fr = reader.read_fleet(run)
    assert fr.boards == names
    points = cmd_fleet.points_of(fr)
    _, grid = cmd_fleet.handshake_grid(points, "mbedtls", "tls")
    assert len(grid) == 380
    rows = cmd_fleet.pair_rows(points)
    assert cmd_fleet.pair_bars(rows, "mbedtls", "tls") is None
    assert cmd_fleet.main(["-o", str(tmp_path / "rep"), str(run)]) == 0
    assert (tmp_path / "rep" / "handshake-tls-mbedtls.svg").stat().st_size > 0


def test_usage(tmp_path, capsys):
    assert cmd_fleet.main([str(tmp_path)]) == 2
    assert "not a fleet run directory" in capsys.readouterr().err
    assert cmd_fleet.main(["-L", "42", str(tmp_path)]) == 2
    (tmp_path / "schedule.tsv").write_text("1\ta\tb\tmbedtls\n")
    assert cmd_fleet.main([str(tmp_path)]) == 1
    assert "no client result yet" in capsys.readouterr().err
