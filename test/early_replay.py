#!/usr/bin/python3
"""early_replay.py - a loopback TCP proxy that records a TLS client's first flight
(ClientHello and the early data behind it) and replays it to the server afterwards, for
test/early_data.sh. Only loopback: it listens on 127.0.0.1 and connects to 127.0.0.1.

  early_replay.py proxy LISTEN_PORT_FILE SERVER_PORT CONN FLIGHT_FILE
      forwards every connection to the server; of the CONN-th (1 = first) it writes what
      the client sent before the proxy passed on any byte of the server's answer to
      FLIGHT_FILE. The server's answer is held back HOLD_S, so that the client's early
      data, sent right behind its ClientHello, is in the flight. Writes its port to
      LISTEN_PORT_FILE; ends after IDLE_S without a connection.
  early_replay.py replay SERVER_PORT FLIGHT_FILE
      sends FLIGHT_FILE on a new connection and prints "replay answered=N bytes" with
      what the server sent within WAIT_S (it cannot finish the handshake: no keys).
Exit 2 on bad arguments.
"""
import os
import select
import socket
import sys
import time

HOLD_S = 0.3
IDLE_S = 30.0
WAIT_S = 3.0


def pump(client, server, record):
    """Copies both ways until both ends closed; record: bytearray of the first flight."""
    first_at = None  # when the server's first bytes came (held back HOLD_S)
    held = bytearray()
    socks = [client, server]
    deadline = time.monotonic() + IDLE_S
    while socks and time.monotonic() < deadline:
        timeout = 0.05 if first_at is not None and held else 1.0
        ready, _, _ = select.select(socks, [], [], timeout)
        if first_at is not None and held and time.monotonic() - first_at >= HOLD_S:
            client.sendall(held)
            held.clear()
        for s in ready:
            data = s.recv(65536)
            other = server if s is client else client
            if not data:
                socks.remove(s)
                if s is server and held:
                    client.sendall(held)
                    held.clear()
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            if s is client:
                if record is not None and (first_at is None or held):
                    record.extend(data)
                server.sendall(data)
            elif first_at is None or held:
                if first_at is None:
                    first_at = time.monotonic()
                held.extend(data)
            else:
                client.sendall(data)
    client.close()
    server.close()


def proxy(port_file, server_port, want, flight_file):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(port_file + ".tmp", port_file)
    n = 0
    while True:
        ready, _, _ = select.select([lsock], [], [], IDLE_S)
        if not ready:
            return 0
        client, _ = lsock.accept()
        n += 1
        server = socket.create_connection(("127.0.0.1", server_port), timeout=5)
        server.settimeout(None)
        record = bytearray() if n == want else None
        pump(client, server, record)
        if record is not None:
            with open(flight_file, "wb") as f:
                f.write(record)


def replay(server_port, flight_file):
    with open(flight_file, "rb") as f:
        flight = f.read()
    s = socket.create_connection(("127.0.0.1", server_port), timeout=5)
    s.sendall(flight)
    got = 0
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([s], [], [], 0.1)
        if ready:
            try:
                data = s.recv(65536)
            except OSError:
                break
            if not data:
                break
            got += len(data)
    s.close()
    print("replay sent=%d answered=%d bytes" % (len(flight), got))
    return 0


def main(argv):
    try:
        if len(argv) == 6 and argv[1] == "proxy":
            return proxy(argv[2], int(argv[3]), int(argv[4]), argv[5])
        if len(argv) == 4 and argv[1] == "replay":
            return replay(int(argv[2]), argv[3])
    except ValueError as e:
        print("early_replay.py: %s" % e, file=sys.stderr)
        return 2
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
