#!/usr/bin/python3
"""link-probe.py - the calibration probes of scripts/link.sh, over UDP across the link.

  link-probe.py serve BIND PORT SECS      echo server (in the server namespace); ends after
                                          SECS or a "stop" datagram
  link-probe.py rtt HOST PORT COUNT GAP_MS  pipelined probes, one every GAP_MS without
                                          waiting for answers; prints one-way and round-trip
                                          milliseconds (key=value lines)
  link-probe.py blast HOST PORT BYTES SIZE BITS  sends BYTES in SIZE-byte datagrams at about
                                          2x BITS bit/s; the server reports the rate at which
                                          they arrived (key=value lines)

Every namespace shares the host's CLOCK_MONOTONIC, so each direction's delay is measured
on its own: the sender stamps the probe, the receiver subtracts. Exit 2 on bad arguments.
"""
import socket
import struct
import sys
import time

PROBE = struct.Struct("!4sIQQ")  # tag, number, sender stamp, echo stamp (ns)
WIRE_OVERHEAD = 42  # UDP 8 + IPv4 20 + Ethernet 14: what tbf counts beside the payload
BLAST_MAX = 100000


def now_ns():
    return time.monotonic_ns()


def serve(bind, port, secs):
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((bind, port))
    end = time.monotonic() + secs
    arrivals = []  # (ns, wire bytes) of the blast's datagrams, at most BLAST_MAX
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, peer = s.recvfrom(65536)
        except socket.timeout:
            break
        t = now_ns()
        if data.startswith(b"ECHO") and len(data) >= PROBE.size:
            tag, n, sent, _ = PROBE.unpack_from(data)
            s.sendto(PROBE.pack(tag, n, sent, t) + data[PROBE.size:], peer)
        elif data.startswith(b"BLST"):
            if len(arrivals) < BLAST_MAX:
                arrivals.append((t, len(data) + WIRE_OVERHEAD))
        elif data.startswith(b"RATE"):
            # The rate over the last two thirds of the arrivals: the first ones include
            # the token bucket's burst, which leaves at the veth's own speed.
            n = len(arrivals)
            k = n // 3
            bits = 0
            if n - k >= 2 and arrivals[-1][0] > arrivals[k][0]:
                got = sum(b for _, b in arrivals[k + 1:])
                bits = int(got * 8 / ((arrivals[-1][0] - arrivals[k][0]) / 1e9))
            s.sendto(b"RATE %d %d" % (n, bits), peer)
            arrivals = []
        elif data.startswith(b"STOP"):
            break
    return 0


def quantile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1) + 0.5))]


def rtt(host, port, count, gap_ms):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.connect((host, port))
    s.setblocking(False)
    up, down, rt = [], [], []
    sent = 0
    next_send = time.monotonic()
    deadline = None
    while True:
        t = time.monotonic()
        if sent < count and t >= next_send:
            s.send(PROBE.pack(b"ECHO", sent, now_ns(), 0) + b"\0" * 16)
            sent += 1
            next_send += gap_ms / 1000.0
            if sent == count:
                deadline = t + 5.0 + 4 * max(rt or [1e9]) / 1e9 if rt else t + 10.0
        if len(rt) == count or (deadline is not None and t > deadline):
            break
        try:
            data = s.recv(2048)
        except BlockingIOError:
            time.sleep(0.0005)
            continue
        t3 = now_ns()
        if len(data) >= PROBE.size and data.startswith(b"ECHO"):
            _, _, t0, t1 = PROBE.unpack_from(data)
            up.append((t1 - t0) / 1e6)
            down.append((t3 - t1) / 1e6)
            rt.append((t3 - t0) / 1e6)
    print("probes=%d" % count)
    print("received=%d" % len(rt))
    if rt:
        for name, xs in (("up", up), ("down", down), ("rtt", rt)):
            print("%s_ms_min=%.3f" % (name, min(xs)))
            print("%s_ms_p50=%.3f" % (name, quantile(xs, 0.5)))
            print("%s_ms_max=%.3f" % (name, max(xs)))
    return 0 if rt else 1


def blast(host, port, total, size, bits):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.connect((host, port))
    payload = b"BLST" + b"\0" * (size - 4)
    per_pkt = (size + WIRE_OVERHEAD) * 8 / (2.0 * bits)  # seconds at twice the rate
    n = max(2, total // size)
    start = time.monotonic()
    for i in range(n):
        wait = start + i * per_pkt - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            s.send(payload)
        except OSError:
            pass  # a full socket buffer: the datagram is lost, as on a congested link
    time.sleep(0.2)
    s.settimeout(1.0)
    answer = b""
    for _ in range(60):  # the last datagrams may still be on the link
        s.send(b"RATE")
        try:
            answer = s.recv(256)
            break
        except socket.timeout:
            continue
    parts = answer.split()
    if len(parts) != 3:
        print("error=no rate answer")
        return 1
    print("sent=%d" % n)
    print("arrived=%d" % int(parts[1]))
    print("rate_bit=%d" % int(parts[2]))
    return 0


def main(argv):
    try:
        if len(argv) == 4 and argv[0] == "serve":
            return serve(argv[1], int(argv[2]), float(argv[3]))
        if len(argv) == 5 and argv[0] == "rtt":
            return rtt(argv[1], int(argv[2]), int(argv[3]), float(argv[4]))
        if len(argv) == 6 and argv[0] == "blast":
            return blast(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]))
    except ValueError as e:
        print("link-probe: %s" % e, file=sys.stderr)
        return 2
    print("link-probe: usage: serve BIND PORT SECS | rtt HOST PORT COUNT GAP_MS | "
          "blast HOST PORT BYTES SIZE BITS",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
