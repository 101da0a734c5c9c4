"""bench-tls.sh's, bench-dtls.sh's and bench-load.sh's summaries (bench_tls.py,
bench_load.py) on made-up run directories with known answers."""

import pytest

from ackbench import bench_load, bench_tls, cmd_bench_summary, toolout
from ackbench.records import FormatError
from ackbench.tests.test_bench_stacks import SERVER_HEAD, server, summary

BENCH = ("  ECDHE-secp256r1  :   1000 ephemeral handshake/s\n"
         "  ECDSA-secp256r1  :   4000 sign/s\n  ECDSA-secp256r1  :   1000 verify/s\n"
         "  AES-GCM-128      :  100000 KiB/s\n")


def tls_dir(d):
    d.mkdir()
    (d / "meta.txt").write_text("version: 1.3\ntype: ec256\ngroups: secp256r1\nrounds: 2\n"
                                "client_cpu: 0\nserver_cpu: 1\ntarget: 1.15\nload_start: 1 1 1\n"
                                "load_end: 2 2 2\nmbedtls: version=3.6.6\nopenssl: OpenSSL 3.0\n"
                                "stime_ns: 2000000000\n")
    (d / "benchmark.txt").write_text(BENCH)
    # ecdh at half a CPU, the rest at a full one: floor 2 * 500 + 2 * 250 + 4 * 1000 = 5500
    (d / "benchmark.time").write_text("2.0 1.0 0.0\n1.0 1.0 0.0\n1.0 0.5 0.0\n")
    runs = []
    for r, (tcp, tls) in enumerate(((100, 5600), (120, 11120)), start=1):
        runs += [f"pm {r} - tcp tcp-r{r}", f"pm {r} - tls tls-r{r}", f"keep {r} - tcp keep-tcp-r{r}",
                 f"keep {r} - tls keep-tls-r{r}"]
        summary(d, f"tcp-r{r}", "tcp", tcp, hs=0, cpu=10)
        summary(d, f"tls-r{r}", "tls", tls, hs=tls / 2, cpu=3000)
        server(d, f"tls-r{r}", [2000, ""])
        server(d, f"tcp-r{r}", [5])
        summary(d, f"keep-tcp-r{r}", "tcp", keep={64: 10 * r, 16384: 100})
        summary(d, f"keep-tls-r{r}", "tls", keep={64: 20 * r, 16384: 400})
    runs.append("pm 2 - tls-resume tls-resume-r2")
    summary(d, "tls-resume-r2", "tls", 900, hs=700, cpu=800)
    h = "proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,cpu_us," \
        "start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed"
    (d / "tls-resume-r2.csv").write_text(h + "\n" + "".join(
        f"tls,per-message,64,{i},1,2,3,4,10,{ok},5,0,1,1,0,{res}\n"
        for i, (ok, res) in enumerate(((1, 1), (1, 0), (1, 1), (0, 1)))))
    (d / "runs.txt").write_text("\n".join(runs) + "\n")
    (d / "stime.out").write_text("Collecting connection statistics for 1 seconds\n"
                                 "40 connections in 1.50s; 50.00 connections/user sec, bytes read 960\n")
    return d


def test_tls_summary(tmp_path):
    lines = bench_tls.tls_lines(tls_dir(tmp_path / "t"))
    text = "\n".join(lines)
    assert lines[4] == "crypto floor (programs/test/benchmark, same Mbed TLS build), us per operation:"
    assert lines[5] == "  ECDHE-secp256r1 500.0, ECDSA-secp256r1 sign 250.0, verify 1000.0"
    assert lines[6] == "  mutual auth: 2 ECDHE + 2 sign + 4 verify = 5500.0"
    assert "(busy host: the benchmark had 50% and 100% of a CPU, 6500.0 as it counted;" in text
    # tls - tcp: 5500 and 11000 -> over the floor 1.0 and 2.0: median 1.5
    assert "  (tls - tcp) / floor                          1.50   min..max 1.00..2.00; " \
        "target <= 1.15: above" in lines
    # the server's row without a CPU figure is left out: 2000, not 1000
    assert "  server CPU per connection, tls             2000.0   tcp 5.0, difference 1995.0" in lines
    assert "  tls --resume handshake                      700.0   (total 900.0; resumed 2/3 " \
        "timed rows, last round)" in lines
    assert "  wall time per connection                  50000.0" in lines  # 2 s / 40
    assert "  client user CPU per connection            20000.0" in lines  # 1 / 50 per s
    # gcm at 200000 KiB/s at a full CPU (half a CPU measured 100000)
    assert "  (gcm floor: AES-128-GCM at 205 MB/s: the request encrypted, its last record" in lines
    # 64 B: (64 + 64 + 48) B at 200000 KiB/s = 0.86 us
    assert lines[-4].split() == ["64", "15.0", "30.0", "15.0", "2.00", "0.9", "17.45"]


def test_tls_missing_figure(tmp_path, capsys):
    d = tls_dir(tmp_path / "t")
    (d / "benchmark.txt").write_text(BENCH.replace("sign/s", "signs/s"))
    with pytest.raises(FormatError, match=r"benchmark\.txt: no 'ECDSA-secp256r1 sign' figure"):
        cmd_bench_summary.main(["tls-floor", str(d)])
    (d / "runs.txt").write_text("pm 1 - tcp\n")
    (d / "benchmark.txt").write_text(BENCH)
    with pytest.raises(FormatError, match=r"runs\.txt:1: 4 fields, a BenchRun line has 5"):
        bench_tls.tls_lines(d)


def test_dtls_summary(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "meta.txt").write_text("rounds: 1\nclient_cpu: 0\nserver_cpu: 1\nload_start: 1\n")
    (d / "benchmark.txt").write_text(BENCH)
    (d / "benchmark.time").write_text("9.0 1.0 0.0\n")  # not used: dtls does not time it
    (d / "runs.txt").write_text("keep 1 - udp keep-udp-r1\npm 1 - udp udp-r1\npm 1 - dtls dtls-r1\n")
    summary(d, "keep-udp-r1", "udp", keep={64: 500, 1024: 600})
    summary(d, "udp-r1", "udp", 100)
    summary(d, "dtls-r1", "dtls", 7100, hs=5000, cpu=2000)
    h = "proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,cpu_us," \
        "start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed,err,cookie_us"
    (d / "dtls-r1.csv").write_text(h + "\ndtls,per-message,64,0,1,2,3,4,10,1,5,0,1,1,2,0,0,300\n"
                                   "dtls,per-message,64,1,1,2,3,4,10,1,5,0,1,1,0,0,0,100\n")
    lines = bench_tls.dtls_lines(d)
    assert "round trip (udp --keep, 64 B, p50, median of the rounds): 500.0 us" in lines
    # (7100 - 100) / (6500 + 500) = 1.00 (not timed: a full CPU, floor 2000 + 500 + 4000)
    assert "  (dtls - udp) / (floor + RTT), cookies    1.00   min..max 1.00..1.00; target <= 1.15: met" in lines
    assert "  (dtls - udp) / floor, --no-cookie        n/a" in lines
    assert "  sessions with a handshake retransmission 1 of 2 (cookies), 0 of 0 (--no-cookie); " \
        "target: none" in lines
    assert any("of which cookie round trip 200.0" in ln for ln in lines)
    assert "  CPU per session, dtls client                 2000.0   server - (udp: client 0.0)" in lines
    assert lines[-4].split() == ["64", "500.0", "-", "-", "-"]


def test_load_table(tmp_path):
    d = tmp_path / "l"
    d.mkdir()
    (d / "meta.txt").write_text("count: 10\nclient_cpu: 0\nserver_cpu: 1\nclk_tck: 100\n")
    (d / "runs.txt").write_text("stime tls1.2 1 tls1.2-stime-n1 1000000000 3000000000 50 60\n"
                                "ours tls1.2 2 tls1.2-n2 0 0 10 30\n"
                                "sserver tls1.2 1 tls1.2-s_server 0 2000000000 0 0\n")
    summary(d, "tls1.2-n2", "tls", 400, 900, hs=300)
    (d / "tls1.2-n2.json").write_text((d / "tls1.2-n2.json").read_text().replace(
        '"sizes": [{', '"sizes": [{"conns_per_s": 123.45, '))
    server(d, "tls1.2-n2", [100, 300, ""])  # 4 conn rows (one failed): 20 ticks / 4 = 50 ms
    (d / "tls1.2-stime-n1.server.csv").write_text(SERVER_HEAD + "\nconn,tls,1,0,,0,0,9,77,1\n"
                                                  "conn,tls,2,0,,0,100,9,40,1\n")
    (d / "tls1.2-stime-n1.1.out").write_text("30 connections in 1.0s; 40.0 connections/user sec, bytes read 0\n")
    (d / "tls1.2-stime-n1.2.out").write_text("10 connections in 1.0s; 40.0 connections/user sec, bytes read 0\n")
    (d / "tls1.2-s_server.out").write_text("8 connections in 2.0s; 9.0 connections/user sec, bytes read 0\n")
    lines = bench_load.lines(d)
    rows = [ln.split() for ln in lines[2:-5]]
    assert rows == [["tls1.2", "2", "ours", "123.5", "400.0", "900.0", "300.0", "300.0", "200.0",
                     "50000.0", "4"],
                    ["tls1.2", "1", "s_server", "4.0", "-", "-", "-", "-", "-", "-", "8"],
                    # s_time: 40 connections in 2 s; the row with a handshake: 40 us
                    ["tls1.2", "1", "s_time", "20.0", "-", "-", "-", "-", "40.0", "50000.0", "2"]]
    assert len(lines) == 2 + 3 + 5
    (d / "runs.txt").write_text("ours tls1.2 1 tls1.2-n1 0 0 0 0\n")  # listed, no files
    with pytest.raises(FormatError, match=r"tls1\.2-n1\.json: cannot read"):
        bench_load.lines(d)


def test_stime_reader(tmp_path):
    f = tmp_path / "s.out"
    f.write_text("no figures\n")
    assert toolout.read_stime(f) is None
    f.write_text("12 connections in 0.5s; 24.00 connections/user sec, bytes read 0\n")
    assert toolout.read_stime(f) == (12, 24.0)
