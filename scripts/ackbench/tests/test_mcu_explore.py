"""The Pareto front and "the cheapest that fits" of ackbench mcu-explore on a made-up sweep
(points.csv and handshakes.csv as scripts/mcu-explore.sh writes them), worked out by hand."""

import csv

import pytest

from ackbench import cmd_mcu_explore as mx
from ackbench import reader, stats
from ackbench.records import FormatError


def test_front_minimises_every_coordinate():
    pts = [(10, 10, 10), (5, 20, 10), (20, 5, 10), (11, 11, 11), (10, 10, 10), (1, 30, 50)]
    # (11, 11, 11) is beaten by (10, 10, 10); the two equal (10, 10, 10) both stay; each
    # of the others is best in one coordinate.
    assert stats.pareto_front(pts) == [0, 1, 2, 4, 5]


def test_front_single_and_empty():
    assert stats.pareto_front([]) == []
    assert stats.pareto_front([(3, 3, 3)]) == [0]
    assert stats.pareto_front([(1, 2, 3), (1, 2, 4)]) == [0]


# A made-up sweep: the shipped base, a faster and bigger one (O2), a smaller and slower
# one, one beaten on every count, one the checker refused, one without TLS 1.3.
POINTS = [
    # point, status, reason, shipped, opt, W, flash, ram_static
    ("config=mcu", "ok", "", "mcu", "Os", "2", 200000, 5000),
    ("opt=O2", "ok", "", "", "O2", "2", 230000, 5000),
    ("ECP_WINDOW_SIZE=6", "ok", "", "", "Os", "6", 201000, 5000),
    ("worse", "ok", "", "", "Os", "3", 210000, 6000),
    ("SSL_PROTO_TLS1_2=0", "refused", "config check: DTLS needs TLS 1.2", "", "Os", "2", "", ""),
    ("config=mcu-tls12", "ok", "", "mcu-tls12", "Os", "2", 170000, 4800),
]
# point -> (client full instr, heap peak, stack peak) for tls1.3; mcu-tls12 has none
TLS13 = {
    "config=mcu": (74_000_000, 28000, 2300),
    "opt=O2": (60_000_000, 28000, 2500),
    "ECP_WINDOW_SIZE=6": (66_000_000, 36000, 2300),
    "worse": (75_000_000, 29000, 2400),
}


def write_sweep(d):
    head = ["target", "point", "hash", "status", "reason", "shipped", "opt", "ECP_WINDOW_SIZE",
            "flash", "ram_static", "text", "data", "bss", "flash_mbedcrypto", "flash_mbedtls",
            "handshakes", "handshakes_failed", "rogue", "rogue_refused", "build_s", "run_s",
            "dir"]
    with open(d / "points.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        for i, (p, st, rs, sh, o, win, fl, rst) in enumerate(POINTS):
            ran = st == "ok"
            w.writerow(["cortex-m4", p, f"h{i}", st, rs, sh, o, win, fl, rst,
                        fl, 100 if ran else "", 200 if ran else "", 60000 if ran else "",
                        40000 if ran else "", 15 if ran else "", 0 if ran else "",
                        6 if ran else "", 6 if ran else "", 60, 15 if ran else 0, "/x"])
    with open(d / "handshakes.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["target", "point", "hash", "proto", "key", "kind", "side", "n", "ok",
                    "instr", "instr_min", "instr_max", "heap_peak", "stack_peak",
                    "hs_bytes_out", "hs_bytes_in", "suite"])
        for i, (p, st, *_rest) in enumerate(POINTS):
            if st != "ok":
                continue
            protos = ["tls1.2"] + (["tls1.3"] if p in TLS13 else [])
            for pr in protos:
                ins, heap, stack = TLS13.get(p, (70_000_000, 27000, 1200))
                for side in ("client", "server"):
                    w.writerow(["cortex-m4", p, f"h{i}", pr, "ec256", "full", side, 2, 2, ins,
                                ins, ins, heap, stack, 900, 1100, "S"])
                    w.writerow(["cortex-m4", p, f"h{i}", pr, "ec256", "resumed", side, 2, 2,
                                ins // 3, ins // 3, ins // 3, heap - 500, stack, 400, 400, "S"])
    (d / "env.txt").write_text("date: 2026-12-06\nsweep_seconds: 100\n")


def test_reader(tmp_path):
    write_sweep(tmp_path)
    ex = reader.read_explore(tmp_path)
    assert reader.kind_of(str(tmp_path)) == "explore"
    assert ex.axes == ["opt", "ECP_WINDOW_SIZE"]
    assert len(ex.points) == 6 and ex.points[4].flash is None
    assert ex.points[0].components == {"mbedcrypto": 60000, "mbedtls": 40000}
    assert ex.points[1].axes == {"opt": "O2", "ECP_WINDOW_SIZE": "2"}


def test_front_and_ram(tmp_path):
    write_sweep(tmp_path)
    ms = mx.mark_front(mx.metrics(reader.read_explore(tmp_path), "tls1.3", "ec256", "client"))
    by = {m.point: m for m in ms}
    # refused and TLS-1.2-only points are not on a TLS 1.3 front
    assert set(by) == {"config=mcu", "opt=O2", "ECP_WINDOW_SIZE=6", "worse"}
    assert by["config=mcu"].ram == 5000 + 28000 + 2300
    assert by["config=mcu"].resumed_instr == 74_000_000 // 3
    # worse: more flash, RAM and instructions than config=mcu
    assert {m.point for m in ms if m.on_front} == {"config=mcu", "opt=O2", "ECP_WINDOW_SIZE=6"}


def test_cheapest_that_fits(tmp_path):
    write_sweep(tmp_path)
    ms = mx.metrics(reader.read_explore(tmp_path), "tls1.3", "ec256", "client")
    hz = 64e6
    # everything fits: the fastest
    assert mx.fits(ms, hz)[0].point == "opt=O2"
    # 220000 of flash rules out O2; window 6 is next fastest (66e6 / 64e6 = 1031 ms)
    assert mx.fits(ms, hz, max_flash=220000)[0].point == "ECP_WINDOW_SIZE=6"
    # and 36 KB of RAM rules out window 6's 43300
    assert mx.fits(ms, hz, max_flash=220000, max_ram=36 * 1024)[0].point == "config=mcu"
    # 1100 ms at 64 MHz = 70.4e6 instructions: mcu (74e6) and worse are too slow
    assert [m.point for m in mx.fits(ms, hz, max_ms=1100)] == ["opt=O2", "ECP_WINDOW_SIZE=6"]
    assert mx.fits(ms, hz, max_flash=1000) == []


def test_command(tmp_path, capsys):
    write_sweep(tmp_path)
    assert mx.main([str(tmp_path), "--max-flash", "215K", "--max-ram", "40K", "-f", "64M"]) == 0
    out = capsys.readouterr().out
    # 215 K = 220160 bytes; 40 K = 40960 (window 6 has 43300)
    assert "the cheapest that fits" in out and ": config=mcu (shipped mcu)" in out
    assert "SSL_PROTO_TLS1_2=0: refused: config check: DTLS needs TLS 1.2" in out
    assert "without a tls1.3 ec256 handshake (not on this front): config=mcu-tls12" in out
    rows = list(csv.DictReader(open(tmp_path / "fronts.csv")))
    t13 = {r["point"]: r for r in rows if r["proto"] == "tls1.3" and r["side"] == "client"}
    assert t13["worse"]["on_front"] == "0" and t13["opt=O2"]["on_front"] == "1"
    # TLS 1.2: mcu-tls12 (170000 flash, 70e6) joins the front
    t12 = {r["point"]: r for r in rows if r["proto"] == "tls1.2" and r["side"] == "server"}
    assert t12["config=mcu-tls12"]["on_front"] == "1"
    html = (tmp_path / "report.html").read_text()
    assert html.count("<svg") == 2 and "BOTH endpoints" in html


def test_bad_input(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        mx.main([str(tmp_path), "-f", "fast"])
    assert e.value.code == 2
    assert "'fast' is not a clock frequency" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        mx.main([str(tmp_path), "--max-ram", "lots"])
    assert e.value.code == 2
    (tmp_path / "points.csv").write_text("target,point\ncortex-m4,x\n")
    with pytest.raises(FormatError):
        reader.read_explore(tmp_path)
