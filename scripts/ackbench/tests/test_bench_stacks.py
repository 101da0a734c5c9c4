"""bench-stacks.sh's tables (ackbench/bench_stacks.py) on a made-up run directory with known
answers, the crypto floors, and the readers of the tools' outputs (ackbench/toolout.py)."""

import json

import pytest

from ackbench import bench_stacks, cmd_bench_summary, floors, toolout
from ackbench.records import FormatError

SAMPLE_HEAD = ("proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,"
               "cpu_us,start_rt_us,hs_tx_bytes,hs_rx_bytes")
SERVER_HEAD = "kind,proto,conn,seq,size,rt_us,handshake_us,wall_us,cpu_us,status"


def summary(d, tag, proto, total=None, p99=None, hs=None, cpu=None, keep=None, heap=None):
    def ph(p50, p99=None):
        return {"n": 10, "p50": p50, "p99": p99 if p99 is not None else p50}
    if keep:
        sizes = [{"size": z, "total": ph(v)} for z, v in keep.items()]
    else:
        sizes = [{"size": 64, "total": ph(total, p99), "handshake": ph(hs or 0), "cpu": ph(cpu or 0)}]
    body = {"tool": "ackbench", "proto": proto, "mode": "per-message", "sizes": sizes}
    if heap is not None:
        body["heap"] = {"conn_peak_p50": heap, "conn_peak_max": heap + 1}
    (d / f"{tag}.json").write_text(json.dumps(body))


def samples(d, tag, rows):
    """ROWS: (ok, hs_tx, hs_rx)."""
    lines = [SAMPLE_HEAD] + [f"tls,per-message,64,{i},1,2,3,4,10,{ok},5,0,{tx},{rx}"
                             for i, (ok, tx, rx) in enumerate(rows)]
    (d / f"{tag}.csv").write_text("\n".join(lines) + "\n")


def server(d, tag, cpus):
    """A conn row (status 0) per CPU figure; "" is a row without one."""
    lines = [SERVER_HEAD] + [f"conn,tls,{i},0,,0,100,200,{c},0" for i, c in enumerate(cpus)]
    lines.append("conn,tls,9,0,,0,100,200,99999,1")  # failed: left out
    (d / f"{tag}.server.csv").write_text("\n".join(lines) + "\n")


def stacks_dir(d, pq=0):
    d.mkdir()
    (d / "meta.txt").write_text("stacks: mbedtls\ncount: 10\nkcount: 5\nrounds: 2\nclient_cpu: 0\n"
                                f"server_cpu: 1\npq: {pq}\nload_start: 1.00 2.00 3.00\n"
                                "load_end: 4.00 5.00 6.00\n")
    runs = ["pm 1 - tcp 1---tcp", "pm 2 - tcp 2---tcp", "pm 1 - udp 1---udp",
            "pm 1 mbedtls tls13 1-mbedtls-tls13", "pm 2 mbedtls tls13 2-mbedtls-tls13",
            "keep 1 tcp keep 1-tcp-keep", "keep 1 mbedtls keep 1-mbedtls-keep",
            "heap 0 mbedtls tls13 mem-mbedtls-tls13"]
    (d / "runs.txt").write_text("\n".join(runs) + "\n")
    summary(d, "1---tcp", "tcp", 100, 150)
    summary(d, "2---tcp", "tcp", 120, 170)
    summary(d, "1---udp", "udp", 80, 90)
    summary(d, "1-mbedtls-tls13", "tls", 400, 600, hs=300, cpu=1000)
    summary(d, "2-mbedtls-tls13", "tls", 500, 700, hs=320, cpu=1200)
    samples(d, "1-mbedtls-tls13", [(1, 500, 1500), (1, 500, 1500), (0, 0, 0)])
    server(d, "1-mbedtls-tls13", [100, 300, ""])  # "": missing, not 0 (median 200, not 100)
    server(d, "2-mbedtls-tls13", [250])
    summary(d, "1-tcp-keep", "tcp", keep={64: 30, 1024: 40})
    summary(d, "1-mbedtls-keep", "tls", keep={64: 50, 1024: 65.5})
    summary(d, "mem-mbedtls-tls13", "tls", 1, heap=30000)
    (d / "mem-mbedtls-tls13.server").write_text("ready port=1\nheap conn_peak_max=40000 baseline=100\n")
    # 1000 ECDHE/s at a CPU share of 0.5, 4000 signs/s and 1000 verifies/s at a full CPU:
    # 2 * 500 + 2 * 250 + 4 * 1000 = 5500 us
    (d / "mbedtls-benchmark.txt").write_text(
        "  ECDHE-secp256r1  :   1000 ephemeral handshake/s\n"
        "  ECDSA-secp256r1  :   4000 sign/s\n  ECDSA-secp256r1  :   1000 verify/s\n")
    (d / "mbedtls-benchmark.time").write_text("2.000 0.900 0.100\n1.000 1.000 0.000\n")
    return d


def test_stacks_table(tmp_path):
    meta, fl, cells = bench_stacks.load(stacks_dir(tmp_path / "s"))
    assert fl == {"mbedtls": pytest.approx(5500.0)}
    lines = bench_stacks.table_lines(meta, fl, cells, "RAW")
    assert lines[0] == "TLS stacks on loopback, 10 connections per per-message run, 5 messages per size"
    assert lines[2] == "load average: 1.00 2.00 3.00 at the start, 4.00 5.00 6.00 at the end"
    assert lines[4] == "reference: tcp per message total p50 110.0 p99 160.0; udp p50 80.0 p99 90.0"
    assert lines[6].split() == ["stack", "kind", "p50-ref", "p99-ref", "cli_cpu", "srv_cpu", "hs_B",
                                "heap_cli", "heap_srv"]
    rows = {ln.split()[1]: ln.split() for ln in lines[7:10]}
    # p50: 400-100, 500-120 -> 340; p99: 450, 530 -> 490; server CPU: 200 (round 1, the row
    # without a figure left out) and 250 -> 225; handshake bytes of the acked rows: 2000
    assert rows["tls13"] == ["mbedtls", "tls13", "340.0", "490.0", "1100.0", "225.0", "2000.0",
                             "30000", "40000"]
    assert rows["tls12"] == ["mbedtls", "tls12"] + ["-"] * 7
    assert lines[12].split() == ["mbedtls", "-", "310.0", "5500.0", "0.06", "0.24", "20.0/25.5/-/-"]
    assert "never counted as 0" in "\n".join(lines)
    assert lines[-1] == "Raw rows: RAW"


def test_stacks_pq(tmp_path):
    d = stacks_dir(tmp_path / "s", pq=1)
    (d / "meta.txt").write_text((d / "meta.txt").read_text().replace("mbedtls", "mbedtls openssl"))
    (d / "runs.txt").write_text("pq 1 openssl x25519 pq-1-openssl-x25519\n"
                                "pq 2 openssl x25519 pq-2-openssl-x25519\n"
                                "pqheap 0 openssl x25519 mem-pq\n")
    summary(d, "pq-1-openssl-x25519", "tls", 400, hs=300, cpu=1000)
    summary(d, "pq-2-openssl-x25519", "tls", 400, hs=340, cpu=1400)
    samples(d, "pq-1-openssl-x25519", [(1, 500, 1500), (1, 501, 1500)])
    samples(d, "pq-2-openssl-x25519", [(1, 500, 1502)])
    summary(d, "mem-pq", "tls", 1, heap=50000)
    meta, _, cells = bench_stacks.load(d)
    lines = bench_stacks.pq_lines(meta, cells, "RAW")
    assert lines[4].split()[:3] == ["stack", "kind", "cli_tx_B"]
    # tx: 500.5 and 500 -> 500.2 (%.1f of 500.25); rx 1500, 1502 -> 1501; no server CSV: "-"
    # no timeline files: round trips "-" (not measured), never 0
    assert lines[5].split() == ["openssl", "x25519", "500.2", "1501.0", "1200.0", "-", "320.0",
                                "-", "50000", "-"]
    assert lines[6].split() == ["openssl", "X25519MLKEM768"] + ["-"] * 8
    assert not any(ln.startswith("mbedtls ") for ln in lines)


def test_stacks_command(tmp_path, capsys):
    d = stacks_dir(tmp_path / "s")
    assert cmd_bench_summary.main(["stacks", str(d)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"Raw rows: {d}/runs.txt"
    assert cmd_bench_summary.main(["stacks", str(tmp_path / "none")]) == 2


def test_stacks_malformed(tmp_path):
    d = stacks_dir(tmp_path / "s")
    (d / "runs.txt").write_text("pm 1 - tcp 1---tcp\npm one - tcp 1---tcp\n")
    with pytest.raises(FormatError, match=r"runs\.txt:2: round: 'one' is not a number"):
        bench_stacks.load(d)
    (d / "runs.txt").write_text("pm 1 - tcp 1---tcp\n")
    (d / "1---tcp.server.csv").write_text(SERVER_HEAD + "\nconn,tls,1,0,,0,100,200,x,0\n")
    with pytest.raises(FormatError, match=r"1---tcp\.server\.csv:2: cpu_us: 'x' is not a number"):
        bench_stacks.load(d)


def test_times_and_shares(tmp_path):
    f = tmp_path / "t.time"
    f.write_text("2.0 0.5 0.5\n\n1.0 1.2 0.0\n0 0 0\n")
    t = toolout.read_times(f)
    assert [x.share for x in t] == [0.5, 1.0, 1.0]  # over 1 or undefined: a full CPU
    f.write_text("2.0 0.5 0.5\nreal 2.0\n")
    with pytest.raises(FormatError, match=r"t\.time:2: 'real 2\.0' is not 'REAL USER SYS'"):
        toolout.read_times(f)


def test_openssl_floor(tmp_path):
    f = tmp_path / "speed.txt"
    f.write_text("Doing 256 bits sign ecdsa's for 2s\n"
                 "                              sign    verify    sign/s verify/s\n"
                 " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40000.0  10000.0\n"
                 "                              op      op/s\n"
                 " 256 bits ecdh (nistp256)   0.0001s  20000.0\n")
    assert toolout.read_openssl_speed(f) == {"sign": 40000.0, "verify": 10000.0, "ecdh": 20000.0}
    # 2 * 50 + 2 * 25 + 4 * 100 us
    assert floors.openssl_floor(f) == pytest.approx(550.0)
    f.write_text(" 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40000.0  many\n")
    with pytest.raises(FormatError, match=r"speed\.txt:1: a nistp256 line without"):
        toolout.read_openssl_speed(f)
    assert floors.openssl_floor(tmp_path / "absent.txt") is None


def test_wolfssl_floor(tmp_path):
    ecc, kg, tm = tmp_path / "ecc.txt", tmp_path / "kg.txt", tmp_path / "w.time"
    ecc.write_text("ECDHE   [      SECP256R1]   256  agree   400 ops took 1.0 sec, avg 0.100 ms, 10000 ops/sec\n"
                   "ECDSA   [      SECP256R1]   256  sign    400 ops took 1.0 sec, avg 0.050 ms, 20000 ops/sec\n"
                   "ECDSA   [      SECP256R1]   256  verify  400 ops took 1.0 sec, avg 0.200 ms, 5000 ops/sec\n")
    kg.write_text("ECC   [      SECP256R1]   256  key gen   400 ops took 1.0 sec, avg 0.030 ms, 33333 ops/sec\n")
    tm.write_text("1.0 0.5 0.0\n1.0 1.0 0.0\n")
    # 1000 * (2 * (0.03 * 1 + 0.1 * 0.5) + (2 * 0.05 + 4 * 0.2) * 0.5) = 160 + 450 us
    assert floors.wolfssl_floor(ecc, kg, tm) == pytest.approx(610.0)
    kg.write_text("nothing\n")
    assert floors.wolfssl_floor(ecc, kg, tm) is None
    ecc.write_text("ECDSA sign avg 0,05 ms\n")
    with pytest.raises(FormatError, match=r"ecc\.txt:1: avg '0,05' is not a number"):
        toolout.read_wolfcrypt(ecc)


def test_server_heap(tmp_path):
    f = tmp_path / "s.out"
    f.write_text("ready port=5\n")
    assert toolout.read_server_heap(f) is None
    f.write_text("ready port=5\nheap conn_peak_max=12x baseline=1\n")
    with pytest.raises(FormatError, match=r"s\.out:2: conn_peak_max '12x'"):
        toolout.read_server_heap(f)


def auth_dir(d):
    """A made-up -A directory: Mbed TLS, TLS 1.3 cert in two rounds, resumed, 0-RTT in two
    rounds, DTLS psk, and a --mem run; every other cell has no run."""
    d.mkdir()
    (d / "meta.txt").write_text("stacks: mbedtls\ncount: 10\nkcount: 200\nrounds: 2\nclient_cpu: 0\n"
                                "server_cpu: 1\npq: 0\nauth: 1\nload_start: 1.00 2.00 3.00\n"
                                "load_end: 4.00 5.00 6.00\n")
    runs = ["auth 1 mbedtls tls13-cert a1c", "auth 2 mbedtls tls13-cert a2c",
            "auth 1 mbedtls tls13-resume a1r", "auth 1 mbedtls dtls-psk a1p",
            "auth 1 mbedtls tls13-0rtt a1e", "auth 2 mbedtls tls13-0rtt a2e",
            "authheap 0 mbedtls tls13-cert mem-a1c"]
    (d / "runs.txt").write_text("\n".join(runs) + "\n")
    summary(d, "a1c", "tls", 4000, hs=3000, cpu=3600)
    summary(d, "a2c", "tls", 4400, hs=3400, cpu=3800)
    samples(d, "a1c", [(1, 917, 991), (1, 917, 991), (0, 0, 0)])  # the failed row: left out
    samples(d, "a2c", [(1, 919, 993)])
    server(d, "a1c", [3900, 4100])
    server(d, "a2c", [4200])
    summary(d, "a1r", "tls", 900, hs=800, cpu=700)
    # the first connection full, the next two resumed: medians 435 / 278
    lines = [SAMPLE_HEAD + ",hs_retrans,resumed"] + [
        f"tls,per-message,64,{i},1,2,3,4,10,1,5,0,{tx},{rx},0,{int(i > 0)}"
        for i, (tx, rx) in enumerate([(917, 991), (435, 278), (435, 278)])]
    (d / "a1r.csv").write_text("\n".join(lines) + "\n")
    for tag, acc in (("a1e", 9), ("a2e", 10)):  # the JSON's counts per run
        summary(d, tag, "tls", 900, hs=800, cpu=700)
        body = json.loads((d / f"{tag}.json").read_text())
        body["early_data"] = {"offered": 10, "accepted": acc, "rejected": 10 - acc, "fallback": 0}
        (d / f"{tag}.json").write_text(json.dumps(body))
        samples(d, tag, [(1, 583, 278)])
    summary(d, "a1p", "dtls", 500, hs=300, cpu=340)
    samples(d, "a1p", [(1, 372, 266)])
    summary(d, "mem-a1c", "tls", 1, heap=30000)
    (d / "mem-a1c.server").write_text("ready port=1\nheap conn_peak_max=40000 baseline=100\n")
    return d


def test_stacks_auth(tmp_path):
    d = auth_dir(tmp_path / "a")
    meta, _, cells = bench_stacks.load(d)
    rows = bench_stacks.auth_rows(meta, cells)
    assert [(r.version, r.auth) for r in rows[:5]] == [
        ("tls12", "cert"), ("tls12", "resume"), ("tls12", "psk"), ("tls12", "psk-dhe"),
        ("tls13", "cert")]
    assert [r.auth for r in rows if r.version == "tls13"] == ["cert", "resume", "0rtt", "psk",
                                                              "psk-dhe"]
    assert len(rows) == 13  # 0rtt: TLS 1.3 only
    c = rows[4]
    # bytes: round 1 917/991 (the failed row left out), round 2 919/993 -> 918/992; client CPU
    # 3600, 3800 -> 3700; server CPU 4000 (round 1) and 4200 -> 4100
    assert (c.cli_tx, c.srv_tx, c.cli_cpu, c.srv_cpu, c.hs_p50) == (918, 992, 3700, 4100, 3200)
    assert (c.heap_cli, c.heap_srv, c.acked, c.resumed) == (30000, 40000, 3, 0)
    assert rows[5].auth == "resume" and (rows[5].cli_tx, rows[5].srv_tx) == (435, 278)
    assert (rows[5].acked, rows[5].resumed) == (3, 2)
    lines = bench_stacks.auth_lines(meta, rows, "RAW")
    assert lines[2] == "load average: 1.00 2.00 3.00 at the start, 4.00 5.00 6.00 at the end"
    assert lines[4].split() == ["stack", "ver", "auth", "cli_tx_B", "srv_tx_B", "cli_cpu",
                                "srv_cpu", "hs_p50", "rtt", "heap_cli", "heap_srv", "resumed",
                                "early"]
    assert lines[5 + 4].split() == ["mbedtls", "tls13", "cert", "918.0", "992.0", "3700.0",
                                    "4100.0", "3200.0", "-", "30000", "40000", "0/3", "-"]
    # early data accepted in 9 + 10 of 10 + 10 offers (the JSON's counts, summed over rounds)
    assert lines[5 + 6].split() == ["mbedtls", "tls13", "0rtt", "583.0", "278.0", "700.0", "-",
                                    "800.0", "-", "-", "-", "0/2", "19/20"]
    assert lines[5 + 11].split() == ["mbedtls", "dtls", "psk", "372.0", "266.0", "340.0", "-",
                                     "300.0", "-", "-", "-", "0/1", "-"]
    assert lines[5].split() == ["mbedtls", "tls12", "cert"] + ["-"] * 8 + ["0/0", "-"]
    assert "never counted as 0" in "\n".join(lines) and lines[-1] == "Raw rows: RAW"


def test_stacks_auth_command(tmp_path, capsys):
    d = auth_dir(tmp_path / "a")
    assert cmd_bench_summary.main(["stacks", str(d)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Certificate vs PSK vs PSK+ECDHE on loopback, 10 connections")
    # one malformed line of runs.txt (a field missing): one error naming the file and line
    (d / "runs.txt").write_text("auth 1 mbedtls tls13-cert a1c\nauth 1 mbedtls tls13-psk\n")
    with pytest.raises(FormatError, match=r"runs\.txt:2: 4 fields, a BenchRun line has 5$"):
        cmd_bench_summary.main(["stacks", str(d)])
