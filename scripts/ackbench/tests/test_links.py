"""The links report (ackbench/links.py, cmd_links.py) on a made-up bench-links.sh directory
with known answers."""

import pytest

from ackbench import cmd_links, cmd_show, links, reader, stats
from ackbench.records import FormatError, LinkSpec

HEAD = ("proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,cpu_us,"
        "start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed,err,slot,tcp_retrans\n")
SHEAD = "kind,proto,conn,seq,size,rt_us,handshake_us,wall_us,cpu_us,status,tcp_retrans\n"
SPEC100 = ("delay.up=50000us:delay.down=50000us:jitter=0us:loss.up=0:loss.down=0:burst=1:"
           "drop.up=none:drop.down=none:rate.up=0bit:rate.down=0bit:queue=100:mtu=1500:seed=1:"
           "engine=nfqueue:reorder=0")
NBIOT = ("delay.up=300000us:delay.down=300000us:jitter=0us:loss.up=0:loss.down=0:burst=1:"
         "drop.up=none:drop.down=none:rate.up=62000bit:rate.down=26000bit:queue=20:mtu=1280:"
         "seed=1:engine=nfqueue:reorder=0")


def csv_rows(proto, phases_ms, tx=800, rx=900, retrans=None, resumed=0, ok=None):
    """A client CSV: one row per (connect, handshake, exchange, close) tuple in ms."""
    out = HEAD
    for i, (c, h, e, cl) in enumerate(phases_ms, start=1):
        r = (retrans or [0] * len(phases_ms))[i - 1]
        good = 1 if ok is None else ok[i - 1]
        hs_r, tcp_r = (r, "") if proto == "dtls" else (0, r)
        out += (f"{proto},per-message,64,{i},{c * 1000},{h * 1000},{e * 1000},{cl * 1000},"
                f"{(c + h + e + cl) * 1000},{good},100,{i},{tx},{rx},{hs_r},{resumed},0,0,{tcp_r}\n")
    return out


def make_run(tmp_path, cells, names="tls12 tls13 dtls12"):
    """A bench-links.sh directory: CELLS {(where, cell): client csv text}; where "lo" or a
    link number (1: rtt 100 ms, calibrated 102 ms; 2: nbiot; 3: failed to come up); NAMES:
    the cells meta.txt lists."""
    d = tmp_path / "run"
    (d / "loopback").mkdir(parents=True)
    (d / "meta.txt").write_text("date: 2026-12-07 00:00 UTC\nload_start: 1.0 1.0 1.0\ncount: 5\n"
                                f"size: 64\nstacks: mbedtls\ncells: {names}\n"
                                "load_end: 2.0 2.0 2.0\n")
    for n, spec, cal in (("1", SPEC100, "calib.up_ms_p50=51.000\ncalib.down_ms_p50=51.000\n"),
                         ("2", NBIOT, ""), ("3", None, "")):
        ld = d / "links" / n
        ld.mkdir(parents=True)
        ld.joinpath("spec.txt").write_text({"1": "rtt=100ms:loss=0%", "2": "nbiot",
                                            "3": "geo"}[n] + "\n")
        if spec:
            ld.joinpath("link.txt").write_text(f"link=x\nspec={spec}\n{cal}")
        else:
            ld.joinpath("link.err").write_text("link: calibration refused the link: rate\n")
    for (where, cell), text in cells.items():
        base = d / "loopback" if where == "lo" else d / "links" / str(where)
        (base / f"mbedtls-{cell}.csv").write_text(text)
    return d


def rows_of(run_dir):
    return links.phase_rows(reader.read_links(run_dir))


def find(rows, link, cell, phase):
    [r] = [r for r in rows if r.link == link and r.cell == cell and r.phase == phase]
    return r


def test_percentile_nearest_rank():
    v = list(range(1, 21))  # 1..20
    assert stats.percentile(v, 50) == 10
    assert stats.percentile(v, 95) == 19
    assert stats.percentile(v, 99) == 20
    assert stats.percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        stats.percentile([], 50)


def test_parse_spec():
    s = reader.parse_link_spec(NBIOT)
    assert s == LinkSpec(300000, 300000, 0, 0, 0, 1, 62000, 26000, 20, 1280)
    assert s.rtt_ms == 600
    with pytest.raises(FormatError, match="rate.up: 'fast' is not a number"):
        reader.parse_link_spec("rate.up=fastbit")


def test_bucket_and_serialisation():
    # link.sh: 5 ms at the rate, at least MTU + 100 bytes
    assert links.bucket_bytes(26000, 1280) == 1380
    assert links.bucket_bytes(50_000_000, 1500) == 31250
    # 900 bytes in two TCP flights: two packets of headers (66 each)
    assert links.wire_bytes(900, 2, "tls", 1500) == 900 + 2 * 66
    assert links.wire_bytes(3000, 1, "dtls", 1280) == 3000 + 3 * 42
    nb = reader.parse_link_spec(NBIOT)
    # within the bucket: free; 2000 bytes down in one flight: two packets (MSS 1228), 2132
    # bytes on the wire, 752 beyond the bucket at 26 kbit/s
    assert links.serialisation_ms(900, 2, "tls", nb, False) == 0
    assert links.serialisation_ms(2000, 1, "tls", nb, False) == pytest.approx(752 * 8 / 26)
    assert links.serialisation_ms(2000, 1, "tls", reader.parse_link_spec(SPEC100), True) == 0


def test_model_and_round_trips(tmp_path):
    lo12 = csv_rows("tls", [(0.1, 5.0, 0.2, 0.1)] * 5)
    lo13 = csv_rows("tls", [(0.1, 8.0, 1.0, 0.1)] * 5)
    lod = csv_rows("dtls", [(0.0, 20.0, 0.2, 0.0)] * 5)
    # TLS 1.2 over 102 ms (calibrated): handshake 2 RTT + 5 = 209
    l12 = csv_rows("tls", [(102.5, 209.0 + i, 102.3, 102.2) for i in range(5)])
    # TLS 1.3: handshake one RTT, but one message in five waits for TCP's RTO
    l13 = csv_rows("tls", [(102.0, 110.0, 103.0, 102.0)] * 4 + [(102.0, 400.0, 103.0, 102.0)],
                   retrans=[0, 0, 0, 0, 1])
    # DTLS: three round trips, then each handshake waits 500 ms for its timer
    ld = csv_rows("dtls", [(0.0, 846.0, 102.5, 0.0)] * 5, retrans=[1] * 5)
    d = make_run(tmp_path, {("lo", "tls12"): lo12, ("lo", "tls13"): lo13, ("lo", "dtls12"): lod,
                            (1, "tls12"): l12, (1, "tls13"): l13, (1, "dtls12"): ld})
    rows = rows_of(d)
    h = find(rows, "rtt=100ms:loss=0%", "tls12", "handshake")
    assert h.rtt_ms == 102 and h.k == 2 and h.cpu == 5.0 and h.ser == 0
    assert h.model == pytest.approx(209.0)
    assert (h.p50, h.p95, h.p99) == (211.0, 213.0, 213.0)
    assert h.rtts == 2 and h.cause == "" and h.ratio == pytest.approx(211 / 209)
    c = find(rows, "rtt=100ms:loss=0%", "tls12", "connect")
    assert c.k == 1 and c.model == pytest.approx(102.1) and c.rtts == 1
    h13 = find(rows, "rtt=100ms:loss=0%", "tls13", "handshake")
    assert h13.rtts == 1 and h13.retrans == 1 and h13.p50 == 110.0
    assert h13.cause == "p95: TCP retransmission timer (RTO: RTT + 200 ms at least)"
    hd = find(rows, "rtt=100ms:loss=0%", "dtls12", "handshake")
    assert hd.k == 3 and hd.model == pytest.approx(326.0) and hd.retrans == 5
    assert hd.cause.startswith("DTLS retransmission timer")
    assert find(rows, "rtt=100ms:loss=0%", "dtls12", "close").k == 0
    # the link that did not come up is in the run, without rows
    run = reader.read_links(d)
    assert run.links[2].spec is None and "calibration refused" in run.links[2].error
    assert not [r for r in rows if r.link == "geo"]


def test_rate_limited_bucket(tmp_path):
    lo = csv_rows("tls", [(0.1, 5.0, 0.2, 0.1)] * 3, tx=1000, rx=3000)
    # nbiot: 1000 bytes up and 3000 down; down is beyond the bucket, up is not. The model
    # takes loopback's bytes: over the link a flight sent twice counts twice (4000 up)
    nb = csv_rows("tls", [(600.0, 1700.0, 601.0, 600.0)] * 3, tx=4000, rx=3000)
    rows = rows_of(make_run(tmp_path, {("lo", "tls12"): lo, (2, "tls12"): nb}))
    h = find(rows, "nbiot", "tls12", "handshake")
    down = links.wire_bytes(3000, 2, "tls", 1280) - 1380
    assert h.rtt_ms == 600  # no calibration figures: the spec's
    assert h.ser == pytest.approx(down * 8 / 26000 * 1000)
    assert h.model == pytest.approx(1205 + h.ser)
    assert h.hs_bytes == 7000  # the bytes the link carried
    # a handshake far beyond its model on a rate-limited link, without retransmissions
    slow = csv_rows("tls", [(600.0, 2600.0, 601.0, 600.0)] * 3, tx=1000, rx=3000)
    rows = rows_of(make_run(tmp_path / "b", {("lo", "tls12"): lo, (2, "tls12"): slow}))
    assert find(rows, "nbiot", "tls12", "handshake").cause.startswith("queueing at the rate")


def test_cause_rules():
    k13, kd = links.CELLS["tls13"], links.CELLS["dtls12"]
    s = LinkSpec(50000, 50000)
    assert links.cause(k13, "handshake", s, 3.0, 5.0, 1.0, 0, 0, 0) == ""
    assert links.cause(k13, "connect", s, 1000.0, 5.0, 1.0, 0, 0, 0).startswith("TCP SYN")
    assert links.cause(k13, "exchange", s, 200.0, 5.0, 1.0, 0, 0, 0).startswith(
        "TCP retransmission (tail-loss probe")  # under 0.75 x (200 + 100) ms
    assert links.cause(k13, "exchange", s, 230.0, 5.0, 1.0, 0, 0, 0).startswith(
        "TCP retransmission timer (RTO")
    assert links.cause(kd, "handshake", LinkSpec(300000, 300000), 90.0, 5.0, 0.0, 0, 0,
                       0).startswith("DTLS timer (500 ms) below the round trip")
    assert links.cause(k13, "handshake", LinkSpec(5000, 5000, 3000), 9.0, 5.0, 0.0, 0, 0,
                       0).startswith("jitter")
    assert links.cause(k13, "handshake", s, 9.0, 5.0, 0.0, 0, 0, 0).startswith("CPU")


def test_resumed_rows_only(tmp_path):
    lo = csv_rows("tls", [(0.1, 1.0, 0.2, 0.1)] * 2, resumed=1)
    d = make_run(tmp_path, {("lo", "tls12"): lo})
    (d / "meta.txt").write_text((d / "meta.txt").read_text().replace("tls12 tls13", "tls12r tls13"))
    (d / "loopback" / "mbedtls-tls12.csv").rename(d / "loopback" / "mbedtls-tls12r.csv")
    text = csv_rows("tls", [(102.0, 103.0, 102.0, 102.0)] * 3, resumed=1)
    text += csv_rows("tls", [(102.0, 900.0, 102.0, 102.0)], resumed=0).split("\n", 1)[1]
    text += csv_rows("tls", [(102.0, 0, 0, 0)], resumed=1, ok=[0]).split("\n", 1)[1]
    (d / "links" / "1" / "mbedtls-tls12r.csv").write_text(text)
    h = find(rows_of(d), "rtt=100ms:loss=0%", "tls12r", "handshake")
    assert (h.n, h.lost, h.p99, h.k, h.rtts) == (3, 1, 103.0, 1, 1)


def test_command_writes_files(tmp_path, capsys):
    lo = csv_rows("tls", [(0.1, 5.0, 0.2, 0.1)] * 3)
    l12 = csv_rows("tls", [(102.0, 209.0, 102.0, 102.0)] * 3)
    d = make_run(tmp_path, {("lo", "tls12"): lo, (1, "tls12"): l12, (2, "tls12"): l12})
    assert cmd_links.main([str(d), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "# link geo: not measured (link: calibration refused the link: rate)" in out
    line = [x for x in out.splitlines() if x.startswith("rtt=100ms:loss=0%")][0].split()
    assert line[1:4] == ["mbedtls", "tls12", "3"] and line[-3:-1] == ["209.0", "1.00"]
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"links.txt", "links.csv", "links.html", "links-rtt.png", "links-rtt.svg"} <= files
    csv = (tmp_path / "out" / "links.csv").read_text().splitlines()
    assert csv[0].startswith("link,rtt_ms,loss_pct,stack,cell,proto,version,variant,phase")
    assert len(csv) == 1 + 2 * 4  # two links x four phases
    html = (tmp_path / "out" / "links.html").read_text()
    assert "<svg" in html and "Every phase against its model" in html


def test_command_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        cmd_links.main(["-h"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("Usage: python3 -m ackbench links")
    assert cmd_links.main([]) == 2
    assert "which directory" in capsys.readouterr().err
    assert cmd_links.main([str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err
    d = make_run(tmp_path, {("lo", "tls12"): csv_rows("tls", [(0.1, 5.0, 0.2, 0.1)])})
    assert cmd_links.main([str(d)]) == 1
    assert "no cell ran over a link" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="no meta.txt"):
        cmd_links.main([str(tmp_path / "empty")])


def test_server_retransmissions_by_message(tmp_path):
    # TLS 1.3 over 102 ms: three messages of five wait for the server's RTO; the
    # client retransmitted nothing, the server's conn rows say which connections did
    lo = csv_rows("tls", [(0.1, 8.0, 1.0, 0.1)] * 5)
    slow = [(102.0, 110.0, 103.0, 102.0)] * 2 + [(102.0, 400.0, 103.0, 102.0)] * 3
    d = make_run(tmp_path, {("lo", "tls13"): lo, (1, "tls13"): csv_rows("tls", slow)})
    srv = SHEAD + "msg,tls,1,0,64,1,,1,,0,\nconn,tls,1,1,,1,1,1,1,0,0\n"  # the warm-up
    for conn, seq, rt in ((2, 1, 0), (3, 2, 0), (4, 3, 1), (5, 4, 2), (6, 5, 1)):
        srv += f"msg,tls,{conn},{seq},64,1,,1,,0,\nconn,tls,{conn},1,,1,1,1,1,0,{rt}\n"
    (d / "links" / "1" / "mbedtls-tls13.server.csv").write_text(srv)
    h = find(rows_of(d), "rtt=100ms:loss=0%", "tls13", "handshake")
    assert h.p50 == 400.0 and h.retrans == 4
    assert h.cause == "TCP retransmission timer (RTO: RTT + 200 ms at least)"


def test_show_knows_a_links_directory(tmp_path):
    lo = csv_rows("tls", [(0.1, 5.0, 0.2, 0.1)])
    d = make_run(tmp_path, {("lo", "tls12"): lo, (1, "tls12"): lo, (2, "tls12"): lo})
    assert reader.kind_of(d) == "links"
    assert cmd_show.describe(str(d)) == [
        f"{d}: bench-links: 2 of 3 links measured, 2 cells over them, 1 on loopback, "
        "stacks mbedtls"]


def test_slow_start_round_trips():
    # Linux's initial window: 10 segments (MSS 1448 at MTU 1500 with timestamps)
    assert links.slow_start_rtts(10 * 1448, "tls", 1500) == 0
    assert links.slow_start_rtts(10 * 1448 + 1, "tls", 1500) == 1
    assert links.slow_start_rtts(30 * 1448, "tls", 1500) == 1  # 10, then 20
    assert links.slow_start_rtts(30 * 1448 + 1, "tls", 1500) == 2
    assert links.slow_start_rtts(0, "tls", 1500) == 0
    assert links.slow_start_rtts(100000, "dtls", 1500) == 0  # no congestion window


def test_dtls13_and_pq_split_rows(tmp_path):
    names = "tls13 tls13pq dtls13"
    lo13 = csv_rows("tls", [(0.1, 8.0, 1.0, 0.1)] * 3, tx=600, rx=2500)
    # X25519MLKEM768: a 1,500-byte ClientHello + Finished up, the server's 1,120-byte share
    # in its flight down
    lopq = csv_rows("tls", [(0.1, 9.0, 1.0, 0.1)] * 3, tx=1700, rx=3600)
    lod = csv_rows("dtls", [(0.0, 6.0, 0.3, 0.0)] * 3, tx=1200, rx=1200)
    # over 102 ms: the split ClientHello costs no round trip, DTLS 1.3 three (cookie, the
    # server's flight, the ACK of the client's Finished)
    pq = csv_rows("tls", [(102.0, 112.0, 103.0, 102.0)] * 3, tx=1700, rx=3600)
    d13 = csv_rows("dtls", [(0.0, 312.0, 102.5, 0.0)] * 3, tx=1200, rx=1200)
    # nbiot: the same bytes, beyond tbf's bucket both ways
    pqnb = csv_rows("tls", [(600.0, 1400.0, 601.0, 600.0)] * 3, tx=1700, rx=3600)
    d = make_run(tmp_path, {("lo", "tls13"): lo13, ("lo", "tls13pq"): lopq,
                            ("lo", "dtls13"): lod, (1, "tls13pq"): pq, (1, "dtls13"): d13,
                            (2, "tls13pq"): pqnb}, names)
    rows = rows_of(d)
    h = find(rows, "rtt=100ms:loss=0%", "tls13pq", "handshake")
    assert (h.k, h.rtts, h.ser, h.cause) == (1, 1, 0, "")
    assert h.model == pytest.approx(102 + 9.0)
    hd = find(rows, "rtt=100ms:loss=0%", "dtls13", "handshake")
    assert (hd.k, hd.rtts, hd.cause) == (3, 3, "") and hd.model == pytest.approx(312.0)
    assert [find(rows, "rtt=100ms:loss=0%", "dtls13", p).k
            for p in links.PHASES] == [0, 3, 1, 0]
    n = find(rows, "nbiot", "tls13pq", "handshake")
    # up: 1,700 bytes in two flights, three packets (the ClientHello's second segment);
    # down: 3,600 in one flight, three packets (MSS 1228); each beyond the 1,380-byte bucket
    up = links.wire_bytes(1700, 2, "tls", 1280) - 1380
    down = links.wire_bytes(3600, 1, "tls", 1280) - 1380
    assert (up, down) == (1700 + 3 * 66 - 1380, 3600 + 3 * 66 - 1380)
    assert n.k == 1 and n.ser == pytest.approx(up * 8 / 62 + down * 8 / 26)
    assert n.model == pytest.approx(600 + 9.0 + n.ser)
    assert n.rtts == 1
    kd = links.CELLS["dtls13"]
    assert kd.label == "DTLS 1.3 hrr-cookie" and links.CELLS["tls13pq"].label == "TLS 1.3 pq-split"


def test_dtls13_causes():
    k12, k13 = links.CELLS["dtls12"], links.CELLS["dtls13"]
    nb = LinkSpec(300000, 300000)
    # a lost flight: wolfSSL's DTLS 1.3 resends at most once a second, whatever --hs-timeout
    assert links.cause(k13, "handshake", nb, 1000.0, 5.0, 1.0, 0, 0, 0).startswith(
        "DTLS 1.3 retransmission (wolfSSL: a flight at most every 1000 ms)")
    # 600 ms round trip: DTLS 1.2's 500 ms timer fires before the answer, DTLS 1.3's does not
    assert links.cause(k12, "handshake", nb, 90.0, 5.0, 0.0, 0, 0, 0).startswith(
        "DTLS timer (500 ms) below the round trip")
    assert links.cause(k13, "handshake", nb, 90.0, 5.0, 0.0, 0, 0, 0).startswith("CPU")
    assert links.dtls_timer_ms(k13) == 1000 and links.dtls_timer_ms(k12) == 500


def test_flight_beyond_initial_window(tmp_path):
    # 20,000 bytes down (a long certificate chain): 14 segments, beyond the initial 10:
    # slow start adds a round trip to the handshake's model
    lo = csv_rows("tls", [(0.1, 8.0, 1.0, 0.1)] * 3, tx=600, rx=20000)
    big = csv_rows("tls", [(102.0, 214.0, 103.0, 102.0)] * 3, tx=600, rx=20000)
    rows = rows_of(make_run(tmp_path, {("lo", "tls13"): lo, (1, "tls13"): big}))
    h = find(rows, "rtt=100ms:loss=0%", "tls13", "handshake")
    assert (h.k, h.rtts, h.cause) == (2, 2, "") and h.model == pytest.approx(212.0)
