"""Round trips and flights from the timelines (ackbench/hsflights.py) and the columns they
give bench-stacks.sh's -Q and -A tables and its table over links (-L): on made-up rows with
known answers, and on a recorded run (tests/bench-stacks-pq: bench-stacks.sh -Q -s openssl
-r 1 -n 5 -L lossy -N 3, the X25519MLKEM768 cells, 2026-12-07)."""

import os
import shutil

from ackbench import bench_stacks, hsflights
from ackbench.records import TimelineEvent

HERE = os.path.dirname(__file__)
PQ = os.path.join(HERE, "bench-stacks-pq")


def ev(seq, side, d, typ="Encrypted:1", in_hs=1, retrans=0, t=0.0, run="r1"):
    return TimelineEvent(run, seq, seq, side, "tls", d, typ, None, None, None, None, None, 100,
                         t, None, retrans, in_hs, "", 0)


def test_round_trips_count_reads_after_sends():
    rows = [ev(1, "client", d) for d in ("tx", "rx", "rx", "tx", "tx", "rx")]  # TLS 1.2: 2
    rows += [ev(2, "client", "tx"), ev(2, "client", "tx", retrans=1),  # a resend: no answer yet
             ev(2, "client", "rx"), ev(2, "client", "tx"),  # ... then one round trip
             ev(2, "client", "tx", retrans=1), ev(2, "client", "rx", retrans=1)]  # resends cross
    rows += [ev(1, "server", d) for d in ("rx", "tx", "rx", "tx")]  # the server's: ignored
    rows += [ev(1, "client", "tx", in_hs=0), ev(1, "client", "rx", in_hs=0)]  # after it
    assert hsflights.round_trips(rows) == {("r1", 1): 2, ("r1", 2): 1}


def test_typical_flights_and_their_text():
    a = (("C1: CH", 200, 1), ("S1: SH Enc Enc Enc", 1400, 1))
    b = (("C1: CH", 210, 1), ("S1: SH Enc Enc Enc", 3000, 3))
    odd = (("C1: CH", 5, 1),)
    fl = hsflights.typical([a, b, b, odd])
    assert fl == (("C1: CH", 210, 1), ("S1: SH Enc Enc Enc", 3000, 3))
    assert hsflights.short(fl) == "C1 CH 210/1 | S1 SH Enc*3 3000/3"
    assert hsflights.typical([]) == ()


def test_recorded_pq_run_round_trips_flights_and_link_row():
    meta, _, cells = bench_stacks.load(PQ)
    loop = cells[("pq", "openssl", "X25519MLKEM768")][1]
    assert loop.rtt == 1  # TLS 1.3 full handshake: one round trip after TCP's connect
    assert len(loop.flights) == 5  # every acked connection merged
    # the hybrid key share: a 1,380-byte ClientHello, the server's 2,462-byte flight
    assert hsflights.short(hsflights.typical(loop.flights)) == (
        "C1 CH 1380/1 | S1 SH CCS Enc*5 2462/2 | C2 CCS Enc*3 1095/1 | S2 Enc 719/1")
    lines = bench_stacks.pq_lines(meta, cells, "runs.txt")
    row = next(x for x in lines if x.startswith("openssl  X25519MLKEM768 "))
    assert row.split()[-3] == "1"  # the rtt column
    assert any(x.split()[:4] == ["openssl", "X25519MLKEM768", "C1", "CH"] for x in lines)
    # over the lossy link: 3 handshakes asked, 2 acked, the third counted as failed
    link = next(x for x in lines if x.startswith("lossy   openssl  X25519MLKEM768"))
    # (its handshake completed: the close timed out, so no_hs is 0)
    assert link.split()[3:] == ["2", "1", "0", "23.3", "30.7", "1", "2"]
    # a cell that never ran is a row of '-', not zeros; an x25519 loopback row without runs
    assert next(x for x in lines if x.startswith("lossy   openssl  x25519")).split()[3:] == \
        ["-"] * 7
    assert next(x for x in lines if x.startswith("openssl  x25519   ")).split()[2:] == ["-"] * 8


def test_without_timelines_round_trips_are_not_measured(tmp_path):
    d = tmp_path / "pq"
    shutil.copytree(PQ, d)
    for n in os.listdir(d):
        if n.endswith(".tl.csv"):
            os.remove(d / n)
    meta, _, cells = bench_stacks.load(d)
    f = cells[("pq", "openssl", "X25519MLKEM768")][1]
    assert f.rtt is None and f.flights == []
    lines = bench_stacks.pq_lines(meta, cells, "runs.txt")
    row = next(x for x in lines if x.startswith("openssl  X25519MLKEM768 "))
    assert row.split()[-3] == "-"
    assert ["openssl", "X25519MLKEM768", "-"] in [x.split() for x in lines]


def test_no_links_no_link_table():
    meta, _, cells = bench_stacks.load(PQ)
    meta = dict(meta, links="")
    assert not any("emulated links" in x for x in bench_stacks.pq_lines(meta, cells, "r"))


AUTH = os.path.join(HERE, "bench-stacks-auth")  # bench-stacks.sh -A -r 3 -n 50 -L nbiot,lossy
# -N 5, 2026-12-07: two DTLS 1.2 cells over nbiot (the 600 ms link whose round trip the
# DTLS timers do not wait for: every connection resent flights)


def test_recorded_dtls_over_nbiot_resends_are_not_round_trips():
    meta, _, cells = bench_stacks.load(AUTH)
    psk = cells[("authlink", "mbedtls", "dtls-psk")][1]
    cert = cells[("authlink", "wolfssl", "dtls-cert")][1]
    # cookie, ServerHello..., Finished: 3, though every connection resent flights
    assert (psk.rtt, cert.rtt) == (3, 3)
    assert (psk.retrans, cert.retrans) == (5, 5)
    # datagrams measured: wolfSSL sends each record of a flight in a datagram of its own
    fl = hsflights.typical(cert.flights)
    assert [(n, b, p) for n, b, p in fl if n.startswith(("S2", "C5"))] == [
        ("S2: SH Cert SKE CR SHD", 824, 5), ("C5: Cert CKE CV CCS Fin*", 728, 4)]
    assert hsflights.short(fl).startswith("C1 CH 120/1 | C2 resent CH 120/1 | S1 HVR 47/1 |")
    lines = bench_stacks.auth_lines(meta, bench_stacks.auth_rows(meta, cells), "r", cells)
    row = next(x for x in lines if x.startswith("nbiot   mbedtls  dtls-psk "))
    assert row.split()[3:] == ["5", "0", "0", "1839.3", "1920.4", "3", "5"]
    # the loopback rows of this directory did not run: their flights are "-"
    assert ["mbedtls", "dtls-psk", "-"] in [x.split() for x in lines]
