"""The bench scripts' summaries (ackbench/bench.py) on made-up rounds with known answers."""

import pytest

from ackbench import bench, cmd_bench_summary, reader
from ackbench.records import FormatError, LoopbackRound, ServerRow, TimelineRound


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_read_rounds_by_name(tmp_path):
    p = _write(tmp_path, "rounds.txt", "keep tcp 64 1 30.5 25\n\nper-message tcp 64 2 100 50\n")
    rs = reader.read_rounds(p, LoopbackRound)
    assert rs == [LoopbackRound("keep", "tcp", 64, 1, 30.5, 25.0),
                  LoopbackRound("per-message", "tcp", 64, 2, 100.0, 50.0)]


@pytest.mark.parametrize("text,where", [("keep tcp 64 1 30.5\n", ":1: 5 fields"),
                                        ("keep tcp 64 1 30 25\nkeep tcp 64 x 30 25\n",
                                         ":2: round: 'x' is not a number")])
def test_read_rounds_malformed(tmp_path, text, where):
    p = _write(tmp_path, "rounds.txt", text)
    with pytest.raises(FormatError, match=where):
        reader.read_rounds(p, LoopbackRound)


def test_loopback_lines():
    rs = [LoopbackRound("keep", "tcp", 64, 1, 30.0, 20.0),   # ratio 1.5
          LoopbackRound("keep", "udp", 64, 1, 10.0, 10.0),   # 1.0
          LoopbackRound("keep", "tcp", 64, 2, 36.0, 30.0),   # 1.2
          LoopbackRound("keep", "tcp", 64, 3, 40.0, 20.0)]   # 2.0
    lines = bench.loopback_lines(rs, "1.5")
    assert lines[0].split()[-3:] == ["target", "<=", "1.5"]
    # tcp: ours median 36, ref median 20, ratio median 1.5 (<= 1.5: met), spread 1.2..2.0
    assert lines[1] == "keep         tcp       64       36.0       20.0    1.50   1.20..2.00     met"
    assert lines[2].split() == ["keep", "udp", "64", "10.0", "10.0", "1.00", "1.00..1.00", "met"]
    assert bench.loopback_lines(rs[:1], "1.4")[1].endswith("above")


def test_timeline_lines():
    rs = [TimelineRound("tls12", 1, 100.0, 10.0, 20.0), TimelineRound("tls12-tl", 1, 110.0, 12.0, 30.0),
          TimelineRound("tls12", 2, 200.0, 30.0, 40.0), TimelineRound("tls12-tl", 2, 220.0, 30.0, 30.0),
          TimelineRound("dtls-tl", 1, 5.0, 5.0, 5.0)]
    lines = bench.timeline_lines(rs)
    assert lines[0].split()[:4] == ["conf", "handshake", "us", "+timeline"]
    # tls12: medians 150 / 165 (1.1), 20 / 21 (1.05), 30 / 30 (1.0)
    assert lines[1].split() == ["tls12", "150.0", "165.0", "1.100", "20.0", "21.0", "1.050",
                                "30.0", "30.0", "1.000"]
    assert lines[2].split() == ["tls13"] + ["-"] * 9
    assert lines[3].split() == ["dtls", "-", "5.0", "-"] * 1 + ["-", "5.0", "-"] * 2
    assert len(lines[0]) == len(lines[1])


def test_server_cpu():
    def row(kind, status, cpu):
        return ServerRow(kind, "tls", 1, 0, 64, 0, None, 1.0, cpu, status)
    rows = [row("conn", 0, 10.0), row("conn", 0, 30.0), row("msg", 0, 1000.0),
            row("conn", 1, 5000.0), row("conn", 0, None), row("conn", 0, 20.0), row("conn", 0, 40.0)]
    assert bench.server_cpu(rows) == 25.0
    assert bench.server_cpu(rows[2:5]) is None


SAMPLE_HEAD = "proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,cpu_us,start_rt_us"


def _client_csv(tmp_path, name, hs_ok, lost=0):
    rows = [f"tls,per-message,64,{i},1,{h},1,1,1,1,5,0" for i, h in enumerate(hs_ok)]
    rows += [f"tls,per-message,64,{100 + i},1,0,0,0,0,0,5,0" for i in range(lost)]
    return _write(tmp_path, name, "\n".join([SAMPLE_HEAD] + rows) + "\n")


def test_slowloris_line(tmp_path, capsys):
    # alone: 1..20 ms over two rounds (p50: the 10th, 10 ms; p95: the 19th, 19 ms); with the
    # peers: each 5 ms more, and one message lost
    a1 = _client_csv(tmp_path, "base-1.csv", [i * 1000 for i in range(1, 11)])
    a2 = _client_csv(tmp_path, "base-2.csv", [i * 1000 for i in range(11, 21)])
    w1 = _client_csv(tmp_path, "att-1.csv", [i * 1000 + 5000 for i in range(1, 21)], lost=1)
    assert cmd_bench_summary.main(["slowloris", "-H"]) == 0
    assert cmd_bench_summary.main(["slowloris", "tls", "16", "idle", "10", f"{a1},{a2}",
                                   f"{w1},{tmp_path}/att-2.csv"]) == 0  # att-2: none written
    head, line = capsys.readouterr().out.splitlines()
    assert head.split() == ["proto", "conns", "kind", "K", "p50_ms", "p95_ms", "+p50_ms",
                            "+p95_ms", "p50x", "lost"]
    assert line == "tls   16    idle       10      10.00      19.00       5.00       5.00     1.50      1"
    assert len(line) == len(head)
    # no completed handshake with the peers: "-", exit 1
    w2 = _client_csv(tmp_path, "att-3.csv", [], lost=3)
    assert cmd_bench_summary.main(["slowloris", "dtls", "1", "trickle", "100", str(a1), str(w2)]) == 1
    assert capsys.readouterr().out.split() == ["dtls", "1", "trickle", "100", "5.00", "10.00",
                                               "-", "-", "-", "3"]


def test_slowloris_malformed(tmp_path):
    a = _client_csv(tmp_path, "base-1.csv", [1000, 2000])
    bad = _write(tmp_path, "att-1.csv", SAMPLE_HEAD + "\ntls,per-message,64,0,1,2x,1,1,1,1,5,0\n")
    with pytest.raises(FormatError, match=r"att-1\.csv:2: handshake_us: '2x' is not a number"):
        cmd_bench_summary.main(["slowloris", "tls", "1", "idle", "1", str(a), str(bad)])


def test_timeline_missing_server_cpu(tmp_path):
    # "-": the server had no completed connection with a CPU figure; left out, not 0
    p = _write(tmp_path, "rounds.txt", "tls12 1 100 10 -\ntls12 2 100 10 40\ntls12-tl 1 100 10 -\n")
    rs = reader.read_rounds(p, TimelineRound)
    assert rs[0].server_cpu_us is None and rs[1].server_cpu_us == 40.0
    assert bench.timeline_lines(rs)[1].split()[7:] == ["40.0", "-", "-"]
    with pytest.raises(FormatError, match=r":1: handshake_us: '-' is not a number"):
        reader.read_rounds(_write(tmp_path, "r2.txt", "tls12 1 - 10 5\n"), TimelineRound)
