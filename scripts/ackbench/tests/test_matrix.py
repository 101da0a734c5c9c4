"""ackbench matrix-report on a made-up matrix: two TLS cells and the TCP baseline, six
rounds, per-message and keep; known medians, intervals and ranking."""

import json

from ackbench import cmd_matrix_report

HEAD = ("cell\tstatus\treason\tproto\ttls\tkey\tgroup\tsuite\tresume\tconfig\tstack\tmode\t"
        "rep\tbin\tbaseline\n")
CSV_HEAD = ("proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,"
            "cpu_us,start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed,err,slot\n")


def cell_line(name, key, mode, base):
    proto = "tcp" if name.startswith("base-") else "tls"
    return "\t".join([name, "run", "-", proto, "1.3", key, "-", "-", "0", "full", "mbedtls",
                      mode, "1", "bin", base]) + "\n"


def runs(d, name, mode, rounds, p50s):
    """p50s: size -> function of the round giving the total p50 (cpu p50 = half)."""
    c = d / "cells" / name
    c.mkdir(parents=True, exist_ok=True)
    for r in rounds:
        body = {"tool": "ackbench", "proto": "tls", "mode": mode, "sizes": [
            {"size": s, "n": 10, "total": {"n": 10, "p50": f(r), "p99": f(r)},
             "cpu": {"n": 10, "p50": f(r) / 2, "p99": f(r)}} for s, f in p50s.items()]}
        (c / f"r{r}.json").write_text(json.dumps(body))


def probe(d, name, heap, hs):
    c = d / "cells" / name
    (c / "probe.json").write_text(json.dumps({"tool": "ackbench", "negotiated": f"TLSv1.3 {name}",
                                              "heap": {"conn_peak_max": heap}}))
    (c / "probe.csv").write_text(CSV_HEAD + f"tls,per-message,64,0,1,2,3,4,5,1,6,7,{hs},0,0,0,0,0\n")


def make(d):
    d.mkdir()
    (d / "cells.tsv").write_text(
        HEAD + cell_line("ec", "ec256", "per-message", "base-tcp-per-message")
        + cell_line("rsa", "rsa2048", "per-message", "base-tcp-per-message")
        + cell_line("ec-keep", "ec256", "keep", "base-tcp-keep")
        + cell_line("gone", "ec384", "per-message", "base-tcp-per-message").replace(
            "\trun\t-\t", "\tskipped\tprobe: no such group\t")
        + cell_line("base-tcp-per-message", "-", "per-message", "-")
        + cell_line("base-tcp-keep", "-", "keep", "-"))
    R = range(1, 7)
    runs(d, "base-tcp-per-message", "per-message", R, {64: lambda r: 100 + r})
    runs(d, "ec", "per-message", R, {64: lambda r: 300 + 2 * r})  # +200+r: 201..206
    runs(d, "rsa", "per-message", R, {64: lambda r: 900 + r})  # +800
    runs(d, "base-tcp-keep", "keep", R, {64: lambda r: 20, 1024: lambda r: 30})
    runs(d, "ec-keep", "keep", R, {64: lambda r: 25 + r, 1024: lambda r: 40 + r})
    probe(d, "ec", 30000, 2000)
    probe(d, "rsa", 40000, 3000)
    (d / "meta.txt").write_text("seed: 7\nrounds: 6\ncount: 10\nsizes: 64,1K\n"
                                "pinning: client on CPU 0, server on CPU 1\n")
    (d / "env.txt").write_text("host: testhost\ncpu: TestCPU\ncpus: 2\ngit: abc\n")


def test_report(tmp_path, capsys):
    make(tmp_path / "m")
    out = tmp_path / "out"
    assert cmd_matrix_report.main(["-o", str(out), "--max-heap", "32K", str(tmp_path / "m")]) == 0
    md = (out / "summary.md").read_text().splitlines()
    assert ("- m: host testhost, TestCPU (2 CPUs), git abc; seed 7, 6 rounds of 10 messages per "
            "size (64,1K); pinning: client on CPU 0, server on CPU 1; load average before ?, "
            "after ?; runs took ? s") in md
    i = md.index("## m: tls per-message, ranked by the handshake cost (first message included) at 64 B")
    assert md[i + 2] == ("| # | cell | overhead [95% CI] | p50 [95% CI] | vs cheapest | cpu p50 | "
                         "cpu vs cheapest | hs bytes | heap peak |")
    # ec: overheads 201..206 -> median 203.5, [201..206]; p50s 302..312 -> 307 [302..312]
    assert md[i + 4] == ("| 1 | ec | +203.5 [201.0..206.0] | 307.0 [302.0..312.0] | (cheapest) | "
                         "153.5 | (cheapest) | 2000 | 30000 |")
    # rsa - ec per round: 900+r - (300+2r) = 600-r -> 594..599, median 596.5
    assert md[i + 5] == ("| 2 | rsa | +800.0 [800.0..800.0] | 903.5 [901.0..906.0] | "
                         "+596.5 [594.0..599.0] | 451.8 | +298.2 [297.0..299.5] | 3000 | 40000 |")
    assert md[i + 7] == "The cheapest that fits (heap peak <= 32768 B): ec (+203.5 [201.0..206.0])"
    j = md.index("## m: tls keep, ranked by the record cost at 1024 B")
    assert md[j + 4].startswith("| 1 | ec-keep | +13.5 [11.0..16.0] | 43.5 [41.0..46.0] |")
    assert md[j + 6] == ("The cheapest that fits (heap peak <= 32768 B): none "
                         "(ec-keep: heap - > 32768)")
    assert "| m | base-tcp-keep | 64 | 6 | 20.0 [20.0..20.0] | (baseline) | 10.0 |" in md
    assert "- m: gone: probe: no such group" in md
    assert "- m: rsa: TLSv1.3 rsa" in md
    csv = (out / "cells.csv").read_text().splitlines()
    assert csv[0].startswith("matrix,cell,status,reason,proto,tls,key,group,suite,resume,config,"
                             "stack,mode,rep,size,rounds,p50_us,")
    assert ("m,ec,run,-,tls,1.3,ec256,-,-,0,full,mbedtls,per-message,1,64,6,307,302,312,0.9688,"
            "203.5,201,206,153.5,30000,2000,TLSv1.3 ec,-,cert,single") in csv
    # a cells.tsv from before the auth and chain axes: certificate cells, single certificates
    assert csv[0].endswith(",negotiated,link,auth,chain")
    assert "m,gone,skipped,probe: no such group,tls,1.3,ec384,-,-,0,full,mbedtls,per-message,1," \
           "-,0,-,-,-,-,-,-,-,-,-,-,-,-,cert,single" in csv
    page = (out / "report.html").read_text()
    assert page.count('<svg class="plot"') == 4
    assert 'class="whisker"' in page and 'class="series"' in page
    assert "<h2>m: tls keep, ranked by the record cost at 1024 B</h2>" in page
    assert capsys.readouterr().err == f"matrix-report: wrote {out}/summary.md, {out}/cells.csv, " \
                                      f"{out}/report.html\n"


def test_rank_cpu_level_and_two_dirs(tmp_path):
    make(tmp_path / "a")
    make(tmp_path / "b")
    out = tmp_path / "o"
    assert cmd_matrix_report.main(["-o", str(out), "-L", "90", "--rank", "cpu", "--require",
                                   "key=rsa2048", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    md = (out / "summary.md").read_text()
    assert "## 2:b: tls per-message, ranked by the handshake cost (first message included) at " \
           "64 B (client CPU time)" in md
    assert "| overhead [90% CI] |" in md
    assert "The cheapest that fits (key=rsa2048): rsa (+800.0 [800.0..800.0])" in md
    assert ">1:a</text>" in (out / "report.html").read_text()


def test_usage_errors(tmp_path, capsys):
    make(tmp_path / "m")
    m = str(tmp_path / "m")
    for args, msg in ((["-L", "97", m], "-L: '97' is not a confidence level (90, 95, 99 or 99.9)"),
                      (["--rank", "x", m], "--rank: 'x' is not wall or cpu"),
                      (["--max-heap", "lots", m], "--max-heap: 'lots' is not a size (a number, K = 1024)"),
                      (["--require", "key", m], "--require: 'key' is not AXIS=V"),
                      ([str(tmp_path)], f"'{tmp_path}' is not a matrix directory (no cells.tsv)")):
        assert cmd_matrix_report.main(args) == 2
        assert capsys.readouterr().err == f"matrix-report: {msg}\n"
