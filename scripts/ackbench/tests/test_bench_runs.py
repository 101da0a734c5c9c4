"""bench-loopback.sh's and bench-timeline.sh's tables from their run directories (runs.txt,
the clients' --json files, the servers' CSVs), on recorded runs: bench-timeline/ is a
bench-timeline.sh -r 1 -n 5 directory of 2026-12-07 (its runs.txt, --json files and server
CSVs), bench-loopback/ two tcp_client --json files of the same day with the references'
p50s of that day (sockperf ping-pong --full-rtt, ref_tcp_loop). The figures below are
what jq and bench-summary server-cpu read from those files before the analysis moved here."""

import os

import pytest

from ackbench import bench, cmd_bench_summary, reader
from ackbench.records import FormatError, LoopbackRun, TimelineRun

HERE = os.path.dirname(__file__)
TL = os.path.join(HERE, "bench-timeline")
LB = os.path.join(HERE, "bench-loopback")


def test_timeline_runs_read_from_their_files():
    runs = reader.read_rounds(os.path.join(TL, "runs.txt"), TimelineRun)
    assert [r.conf for r in runs] == ["tls12", "tls12-tl", "tls13", "tls13-tl", "dtls", "dtls-tl"]
    rounds = bench.timeline_rounds(TL, runs)
    # jq -r '.sizes[0].handshake.p50', '.sizes[0].cpu.p50'; bench-summary server-cpu
    assert (rounds[0].handshake_us, rounds[0].cpu_us) == (28189.932, 3547.64)
    assert rounds[0].server_cpu_us == pytest.approx(4515.2, abs=0.05)
    assert (rounds[5].handshake_us, rounds[5].cpu_us) == (18777.057, 3780.475)
    assert rounds[5].server_cpu_us == pytest.approx(4215.3, abs=0.05)


def test_timeline_table_from_directory(capsys):
    assert cmd_bench_summary.main(["timeline", TL]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == ("tls12       28189.9      29119.1   1.033       3547.6       3824.3   "
                        "1.078       4515.2       4209.9   0.932")
    assert lines[3].split()[:4] == ["dtls", "27866.7", "18777.1", "0.674"]


def test_loopback_table_from_directory(capsys):
    assert cmd_bench_summary.main(["loopback", LB, "1.10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # ours: exchange p50 with --keep (19.156), total p50 per message (84.341)
    assert lines[1].split() == ["keep", "tcp", "64", "19.2", "18.8", "1.02", "1.02..1.02", "met"]
    assert lines[2].split() == ["per-message", "tcp", "64", "84.3", "74.1", "1.14",
                                "1.14..1.14", "above"]


def test_loopback_missing_figure(tmp_path):
    # a --json file without the phase asked for: one error naming the file, not a 0
    (tmp_path / "a.json").write_text(
        '{"tool": "ackbench", "proto": "tcp", "mode": "keep", "sizes": [{"size": 64, '
        '"total": {"n": 3, "p50": 5.0}}]}')
    runs = [LoopbackRun("keep", "tcp", 64, 1, "a.json", 10.0)]
    with pytest.raises(FormatError, match=r"a\.json.*sizes\[0\]\.exchange: no figure"):
        bench.loopback_rounds(str(tmp_path), runs)
    assert bench.loopback_rounds(str(tmp_path), [LoopbackRun("per-message", "tcp", 64, 1,
                                                             "a.json", 10.0)])[0].ours_us == 5.0
