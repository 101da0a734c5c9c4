"""The timeline merge on one made-up TLS 1.2-like connection with known answers."""

import pytest

from ackbench import cmd_timeline, timeline
from ackbench.records import TimelineEvent

C0, S0 = 1_000_000, 1_000_050
ROWS = [  # side, dir, type, t_us (from the side's start), cpu_us
    ("client", "tx", "ClientHello", 10, 5), ("client", "rx", "ServerHello", 400, 20),
    ("client", "rx", "ServerHelloDone", 410, 22), ("client", "tx", "Finished", 500, 80),
    ("client", "rx", "Finished", 900, 90),
    ("server", "rx", "ClientHello", 50, 3), ("server", "tx", "ServerHello", 250, 50),
    ("server", "tx", "ServerHelloDone", 260, 55), ("server", "rx", "Finished", 500, 60),
    ("server", "tx", "Finished", 700, 100)]


def events(run="0000abcd", sides=("client", "server")):
    return [TimelineEvent(run, 1, 0, side, "tls", d, typ, None, None, None, None, None, 100,
                          float(t), float(cpu), 0, 1, "", C0 if side == "client" else S0)
            for side, d, typ, t, cpu in ROWS if side in sides]


def test_flights_and_sides():
    m = timeline.merge(events(), {"0000abcd": "tls mbedtls TLSv1.2 X secp256r1 EC-256"},
                       {("0000abcd", 0): (64, 880.0, 0)})
    assert (m.clock, m.total, m.unmatched) == ("same", 1, 0)
    got = {(i, name, metric): v for _, _, i, name, metric, v in m.flights}
    want = {
        (1, "C1: CH", "gap"): 10, (1, "C1: CH", "gap_cpu"): 5, (1, "C1: CH", "work_cpu"): 5,
        (1, "C1: CH", "wire"): 90, (2, "S1: SH SHD", "gap"): 200,
        (2, "S1: SH SHD", "gap_cpu"): 47, (2, "S1: SH SHD", "span"): 10,
        (2, "S1: SH SHD", "span_cpu"): 5, (2, "S1: SH SHD", "work_cpu"): 52,
        (2, "S1: SH SHD", "wire"): 100, (3, "C2: Fin", "gap"): 90,
        (3, "C2: Fin", "gap_cpu"): 58, (3, "C2: Fin", "work_cpu"): 60, (3, "C2: Fin", "wire"): 50,
        (4, "S2: Fin", "gap"): 200, (4, "S2: Fin", "gap_cpu"): 40, (4, "S2: Fin", "work_cpu"): 40,
        (4, "S2: Fin", "wire"): 150,
        (900, "client total", "wall"): 900, (900, "client total", "cpu"): 90,
        (900, "client total", "compute"): 100, (900, "client total", "wait"): 800,
        (900, "client total", "wait_cpu"): 27,
        (901, "server total", "wall"): 700, (901, "server total", "compute"): 410,
        (901, "server total", "wait"): 290, (901, "server total", "wait_cpu"): 8}
    for k, v in want.items():
        assert got[k] == pytest.approx(v), k
    client = [c for c in m.conns if c["side"] == "client"][0]
    assert (client["size"], client["handshake_us"], client["compute_us"] + client["waiting_us"]) \
        == (64, 900, 900)


def test_rtt_clock_recovers_an_offset():
    ev = events()
    for e in ev:
        if e.side == "server":
            e.start_rt_us += 5000  # the server's clock 5 ms ahead
    m = timeline.merge(ev, {}, {}, "rtt")
    srv = [c for c in m.conns if c["side"] == "server"][0]
    # symmetric round trips: CH 90 out, SHD 100 back -> (90 + 5000 - 100 ... ) / 2
    assert srv["clock_offset_us"] == pytest.approx(((1_005_100 - 1_000_010)
                                                    + (1_005_310 - 1_000_410)) / 2)


def test_one_side_only():
    with pytest.raises(timeline.MergeError, match="run 0000abcd has client timeline rows but "
                                                  "no server rows"):
        timeline.merge(events(sides=("client",)), {}, {})


def test_percentiles_nearest_rank_below():
    fl = [("c", 64, 1, "C1: CH", "gap", v) for v in (5, 1, 4, 2, 3)] + \
        [("c", 64, 1, "C1: CH", "wire", 7)]
    p = timeline.percentiles(fl)
    assert p[("c", 64, 1, "C1: CH", "gap")] == (3, 4, 5)
    assert list(p)[1][4] == "wire"


def test_crypto_and_floor():
    cf = "tls mbedtls TLSv1.2 X secp256r1 EC-256"
    assert cmd_timeline.crypto(cf, "S1: SH Cert SKE CR SHD") == "keygen+sign"
    assert cmd_timeline.crypto(cf, "C2: Cert CKE CV CCS Fin*") == "2 verify+keygen+ECDH+sign"
    assert cmd_timeline.crypto("tls mbedtls TLSv1.3 X", "S1: SH CCS {EE}") == "keygen+ECDH+sign"
    rates = cmd_timeline.rates_of(
        "  ECDHE-secp256r1  :  1000 ephemeral handshake/s\n"
        "  ECDH-secp256r1   :  2000 static handshake/s\n"
        "  ECDSA-secp256r1  :  4000 sign/s\n  ECDSA-secp256r1  :  1000 verify/s\n"
        "  RSA-2048         :    100  public/s\n")
    # keygen = 1000 - 500 us, ECDH 500, sign 250, verify 1000
    assert cmd_timeline.floor_of(cf, "keygen+sign", rates) == "750"
    assert cmd_timeline.floor_of(cf, "2 verify+keygen+ECDH+sign", rates) == "3250"
    assert cmd_timeline.floor_of(cf, "-", rates) == "0"
    assert cmd_timeline.floor_of("tls openssl TLSv1.2 X", "keygen", rates) == ""
    # Mbed TLS prints RSA's unit as " public": found all the same
    assert cmd_timeline.floor_of("tls mbedtls TLSv1.2 X secp256r1 RSA-2048", "verify", rates) \
        == "10000"


def dtls13_events():
    """A DTLS 1.3 X25519MLKEM768 handshake cut down: the second ClientHello in two
    datagrams, the server's ServerHello and two encrypted records in one."""
    rows = [  # side, dir, type, epoch, rseq, msg_seq, frag_off, bytes, t_us
        ("client", "tx", "ClientHello", 0, 1, 1, 0, 1387, 10),
        ("client", "tx", "ClientHello", 0, 2, 1, 1375, 48, 12),
        ("server", "rx", "ClientHello", 0, 1, 1, 0, 1387, 40),
        ("server", "rx", "ClientHello", 0, 2, 1, 1375, 48, 41),
        ("server", "tx", "ServerHello", 0, 1, 1, 0, 1186, 300),
        ("server", "tx", "Encrypted:1", 2, 700, None, None, 75, 300),
        ("server", "tx", "Encrypted:2", 2, 701, None, None, 561, 300),
        ("client", "rx", "ServerHello", 0, 1, 1, 0, 1186, 350),
        ("client", "rx", "Encrypted:1", 2, 700, None, None, 75, 350),
        ("client", "rx", "Encrypted:2", 2, 701, None, None, 561, 350)]
    return [TimelineEvent("0000d13a", 1, 0, side, "dtls", d, typ, ep, rs, ms, fo, None, b,
                          float(t), None, 0, 1, "", C0 if side == "client" else C0)
            for side, d, typ, ep, rs, ms, fo, b, t in rows]


def test_bytes_and_packets_per_flight():
    m = timeline.merge(dtls13_events(), {}, {})
    got = {(i, metric): v for _, _, i, _, metric, v in m.flights}
    assert got[(1, "bytes")] == 1387 + 48 and got[(1, "pkts")] == 2
    # the encrypted records by their record numbers: one flight with the ServerHello
    assert got[(2, "bytes")] == 1186 + 75 + 561 and got[(2, "pkts")] == 1
    assert (3, "bytes") not in got
    # TLS: the segments a flight's bytes need at MSS 1448
    ev = events()
    for e in ev:
        if e.type == "ClientHello":
            e.bytes = 1500
    m = timeline.merge(ev, {}, {})
    got = {(i, metric): v for _, _, i, _, metric, v in m.flights}
    assert (got[(1, "bytes")], got[(1, "pkts")]) == (1500, 2)
    assert (got[(2, "bytes")], got[(2, "pkts")]) == (200, 1)
