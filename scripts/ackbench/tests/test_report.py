"""ackbench report on made-up run directories: the per-size phase tables, the runs side by
side, and the plots' files (PNG 1100x650, SVG with the legend)."""

import json
import struct

from ackbench import cmd_report


def run_dir(d, host, scale=1.0):
    d.mkdir()
    for proto, base in (("tcp", 100.0), ("tls", 300.0)):
        sizes = []
        for size in (64, 1024):
            ph = {k: {"n": 10, "p50": base * scale + i, "p99": base * scale + i + 10,
                      "mean": base * scale / 4} for i, k in enumerate(
                ("connect", "handshake", "exchange", "close", "total", "cpu"))}
            sizes.append({"size": size, "n": 10, **ph})
        body = {"tool": "ackbench", "proto": proto, "mode": "per-message", "program": f"{proto}_client",
                "host": host, "peer": "127.0.0.1:1", "count": 10, "config": "full",
                "build": "compiler=gcc stack=mbedtls config=full target=native",
                "negotiated": "TLSv1.3 TLS1-3-AES-128-GCM-SHA256 secp256r1 EC-256" if proto == "tls" else "",
                "sizes": sizes}
        (d / f"{proto}-per-message.json").write_text(json.dumps(body))


def test_tables(tmp_path, capsys):
    run_dir(tmp_path / "a", "hostA")
    run_dir(tmp_path / "b", "hostB", 2)
    assert cmd_report.main(["-N", "-p", "handshake,total", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"# run 1: {tmp_path}/a (hostA/native)" in out
    i = out.index("tcp vs tls, per-message, 64 bytes")
    assert out[i + 1] == ("  phase         tcp p50    tls p50    +us p50  x p50    tcp p99    tls p99"
                          "    +us p99  x p99")
    assert out[i + 2] == ("  handshake       101.0      301.0      200.0   2.98      111.0      311.0"
                          "      200.0   2.80")
    assert out[i + 3].startswith("  total           104.0      304.0")
    assert "tls1.3   full     ec256                   301.0                601.0" in out
    assert "tcp   per-message        64            104.0            204.0" in out


def test_plots(tmp_path, capsys):
    run_dir(tmp_path / "a", "hostA")
    assert cmd_report.main([str(tmp_path / "a")]) == 0
    png = (tmp_path / "a" / "plots" / "latency-per-message.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1100, 650)
    svg = (tmp_path / "a" / "plots" / "latency-per-message.svg").read_text()
    assert ">tls p99<" in svg and ">tcp p50<" in svg
    assert ">handshake<" in (tmp_path / "a" / "plots" / "phases-per-message.svg").read_text()
    assert "plot: " in capsys.readouterr().out


def test_errors(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cmd_report.main(["-N", str(tmp_path / "empty")]) == 1
    assert cmd_report.main(["-p", "nosuch", str(tmp_path)]) == 2
    assert cmd_report.main(["-z", "64,x", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"report: {tmp_path}/empty: no client summary (*.json) with an acked message"
    assert err[1].startswith("report: -p: unknown phase 'nosuch'")
