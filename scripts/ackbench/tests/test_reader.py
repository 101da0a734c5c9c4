"""The reader on made-up files of every kind, well-formed and malformed."""

import json

import pytest

from ackbench import reader
from ackbench.records import FormatError, Sample, ServerRow

SAMPLE_HEAD = ("proto,mode,size,seq,connect_us,handshake_us,exchange_us,close_us,total_us,ok,"
               "cpu_us,start_rt_us,hs_tx_bytes,hs_rx_bytes,hs_retrans,resumed,err")


def summary(proto="tls", mode="keep", sizes=((64, 30.0),), **extra):
    d = {"tool": "ackbench", "proto": proto, "mode": mode, "negotiated": "TLSv1.3",
         "count": 10, "sizes": [{"size": s, "n": 10, "lost": 0,
                                 "total": {"n": 10, "p50": p, "p99": p + 5},
                                 "cpu": {"n": 10, "p50": p / 2, "p99": p}} for s, p in sizes]}
    d.update(extra)
    return json.dumps(d, indent=2)


def test_samples_by_name_with_appended_columns(tmp_path):
    f = tmp_path / "tls-keep.csv"
    f.write_text(SAMPLE_HEAD + ",cookie_us,heap_peak_bytes,slot,future_col\n"
                 "tls,keep,64,10,0,0,40.5,0.1,40.6,1,30,1700000000000000,0,0,0,0,0,1.5,9000,2,x\n")
    (s,) = reader.read_samples(f)
    assert isinstance(s, Sample)
    assert (s.size, s.total_us, s.cookie_us, s.heap_peak_bytes, s.slot, s.owd_us) == \
        (64, 40.6, 1.5, 9000, 2, None)


def test_samples_older_file_without_slot(tmp_path):
    f = tmp_path / "old.csv"
    f.write_text(SAMPLE_HEAD + "\ntcp,per-message,64,1,5,0,6,7,18,1,9,1,0,0,0,0,0\n")
    assert reader.read_samples(f)[0].slot == 0


def test_samples_malformed_names_file_and_line(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(SAMPLE_HEAD + "\ntcp,keep,64,1,5,0,6,7,18,1,9,1,0,0,0,0,0\n"
                 "tcp,keep,64,2,5,0,abc,7,18,1,9,1,0,0,0,0,0\n")
    with pytest.raises(FormatError) as e:
        reader.read_samples(f)
    assert str(e.value) == f"{f}:3: exchange_us: 'abc' is not a number"
    f.write_text(SAMPLE_HEAD + "\ntcp,keep,64\n")
    with pytest.raises(FormatError, match=r":2: 3 fields, the header has 17"):
        reader.read_samples(f)
    f.write_text("a,b\n1,2\n")
    with pytest.raises(FormatError, match=r":1: not a Sample file: no column proto"):
        reader.read_samples(f)


def test_server_rows(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("kind,proto,conn,seq,size,rt_us,handshake_us,wall_us,cpu_us,status\n"
                 "msg,tls,1,0,64,100,,82.5,,0\nconn,tls,1,1,,99,4.6,1316.7,281.3,0\n")
    m, c = reader.read_server(f)
    assert isinstance(c, ServerRow)
    assert (m.kind, m.size, m.handshake_us, m.cpu_us) == ("msg", 64, None, None)
    assert (c.kind, c.size, c.handshake_us, c.cpu_us) == ("conn", None, 4.6, 281.3)


def test_summary_round_from_name_and_other_tools(tmp_path):
    (tmp_path / "tls-keep-r3.json").write_text(summary())
    (tmp_path / "other.json").write_text('{"tool": "something else"}')
    (tmp_path / "tcp-keep.json").write_text(summary("tcp"))
    d = reader.read_run_dir(tmp_path)
    assert [(s.proto, s.round, s.tag) for s in d.summaries] == [("tcp", 1, "tcp-keep"),
                                                                ("tls", 3, "tls-keep")]
    z = d.summaries[1].sizes[0]
    assert (z.size, z.phase("total").p50, z.phase("cpu").p99, z.phase("close")) == \
        (64, 30.0, 30.0, None)


def test_summary_malformed(tmp_path):
    f = tmp_path / "x-r1.json"
    f.write_text('{"tool": "ackbench",\n "proto": "tcp",\n "mode": }')
    with pytest.raises(FormatError, match=r"x-r1.json:3: not JSON"):
        reader.read_summary(f)
    f.write_text(summary(sizes=()).replace('"sizes": []', '"sizes": [{"n": 1}]'))
    with pytest.raises(FormatError, match=r"sizes\[0\]: no size"):
        reader.read_summary(f)


def test_env_keyvals(tmp_path):
    (tmp_path / "env.txt").write_text("host: vm\ncpus: 2\npinning: client on CPU 0\n"
                                      "load_before: 1 2 3\n")
    d = reader.read_run_dir(tmp_path)
    assert d.env["host"] == "vm" and d.env["load_before"] == "1 2 3"
    assert d.env["pinning"] == "pinning: client on CPU 0"
    assert reader.read_keyvals(tmp_path / "absent.txt") == {}


CELLS_HEAD = "cell\tstatus\treason\tproto\ttls\tkey\tgroup\tsuite\tresume\tconfig\tstack\tmode\t" \
             "rep\tbin\tbaseline\n"


def make_matrix(root):
    (root / "cells.tsv").write_text(
        CELLS_HEAD
        + "tls-a\trun\t-\ttls\t1.3\tec256\t-\t-\t0\tfull\tmbedtls\tper-message\t1\tb\tbase-tcp-per-message\n"
        + "tls-b\tskipped\tprobe: no\ttls\t1.2\trsa\t-\t-\t0\tfull\tmbedtls\tper-message\t1\tb\tbase-tcp-per-message\n"
        + "base-tcp-per-message\trun\t-\ttcp\t-\t-\t-\t-\t-\tfull\t-\tper-message\t-\tb\t-\n")
    for c, p50 in (("tls-a", 300), ("base-tcp-per-message", 100)):
        d = root / "cells" / c
        d.mkdir(parents=True)
        for r in (1, 2):
            (d / f"r{r}.json").write_text(summary(c.split("-")[0] if c != "tls-a" else "tls",
                                                  "per-message", ((64, p50 + r),)))
    (root / "cells" / "tls-a" / "probe.json").write_text(
        json.dumps({"tool": "ackbench", "negotiated": "TLSv1.3 X", "heap": {"conn_peak_max": 5000}}))
    (root / "cells" / "tls-a" / "probe.csv").write_text(
        SAMPLE_HEAD + "\n" + "\n".join(f"tls,per-message,64,{i},1,2,3,4,5,1,6,7,{tx},{rx},0,0,0"
                                       for i, (tx, rx) in enumerate(((900, 100), (1000, 100),
                                                                     (1100, 100), (0, 0)))) + "\n")
    (root / "meta.txt").write_text("seed: 42\nrounds: 2\n")


def test_matrix(tmp_path):
    make_matrix(tmp_path)
    m = reader.read_matrix(tmp_path, "A")
    assert m.label == "A" and m.meta["seed"] == "42"
    assert [c.cell for c in m.cells] == ["tls-a", "tls-b", "base-tcp-per-message"]
    assert m.cells[2].is_baseline and m.cells[1].status == "skipped"
    assert [s.round for s in m.runs["tls-a"]] == [1, 2]
    assert m.runs["tls-a"][1].sizes[0].phase("total").p50 == 302
    p = m.probes["tls-a"]
    # handshake bytes both ways, median over the connections that had a handshake (not 0)
    assert (p.heap_peak_bytes, p.handshake_bytes, p.negotiated) == (5000, 1100, "TLSv1.3 X")
    assert reader.kind_of(tmp_path) == "matrix"


def test_matrix_malformed(tmp_path):
    with pytest.raises(FormatError, match="not a matrix directory"):
        reader.read_matrix(tmp_path)
    (tmp_path / "cells.tsv").write_text(CELLS_HEAD + "x\trun\n")
    with pytest.raises(FormatError, match=r"cells.tsv:2: 2 fields, the header has 15"):
        reader.read_matrix(tmp_path)


TL_HEAD = ("run_id,conn,seq,side,proto,dir,type,epoch,record_seq,msg_seq,frag_off,frag_len,"
           "bytes,t_us,cpu_us,retrans,in_hs,state,start_rt_us,arrival_us\n")


def test_timeline(tmp_path):
    f = tmp_path / "c-tl.csv"
    f.write_text(TL_HEAD + "0000abcd,1,0,client,tls,tx,ClientHello,,,,,,250,10.500,8.000,0,1,"
                 "CLIENT_HELLO,1700000000000000,\n"
                 "0000abcd,1,0,client,dtls,rx,ServerHello,0,1,1,0,90,120,300.25,,0,1,X,17,310.0\n"
                 "0000abcd,1,0,client,tls,tx,Finished,,,,,,50,400.0,,0,1,S,1700000000000000\n")
    a, b, c = reader.read_timeline(f)
    assert (a.run_id, a.seq, a.side, a.type, a.epoch, a.t_us, a.cpu_us, a.arrival_us) == \
        ("0000abcd", 0, "client", "ClientHello", None, 10.5, 8.0, None)
    assert (b.epoch, b.msg_seq, b.frag_len, b.cpu_us, b.arrival_us) == (0, 1, 90, None, 310.0)
    assert c.arrival_us is None  # an older file: 19 columns
    assert reader.kind_of(f) == "timeline"
    f.write_text(TL_HEAD + "0000abcd,1,0,client,tls,tx,CH,,,,,,x,1,1,0,1,S,1,\n")
    with pytest.raises(FormatError, match=r"c-tl.csv:2: bytes: 'x' is not a number"):
        reader.read_timeline(f)


def test_mcu(tmp_path):
    d = {"tool": "ackbench-mcu", "target": "mps2-an386", "machine": "mps2-an386",
         "cpu": "cortex-m4", "config": "small", "mbedtls": "3.6.6", "estimate_hz": 100000000,
         "handshakes": [{"key": "ec256", "proto": "tls1.3", "kind": "full", "side": "client",
                         "n": 3, "ok": 3, "instr": 12000000, "heap_peak": 20000,
                         "stack_peak": 4000, "new_field": 1}],
         "records": [{"key": "ec256", "proto": "tls1.3", "size": 64, "side": "client",
                      "n": 10, "instr": 9000, "est_us": 90.0, "bytes_out": 100}],
         "negatives": [{"key": "ec256", "proto": "tls1.3", "case": "rogue", "refused": 1}],
         "floor": [], "footprint": {"flash": 200000, "ram_static": 9000},
         "summary": {"failed": 0}}
    (tmp_path / "mcu.json").write_text(json.dumps(d))
    (tmp_path / "env.txt").write_text("qemu: 7.2\n")
    r = reader.read_mcu(tmp_path)
    assert (r.estimate_hz, r.handshakes[0].instr, r.handshakes[0].heap_peak) == \
        (100000000, 12000000, 20000)
    assert (r.records[0].size, r.footprint["flash"], r.env["qemu"]) == (64, 200000, "7.2")
    assert reader.kind_of(tmp_path) == "mcu"
    (tmp_path / "mcu.json").write_text('{"tool": "ackbench"}')
    with pytest.raises(FormatError, match="not an MCU run"):
        reader.read_mcu(tmp_path)


def test_rates(tmp_path):
    f = tmp_path / "benchmark.txt"
    f.write_text("  ECDSA-secp256r1          :       1234 sign/s\n"
                 "  ECDSA-secp256r1          :        456 verify/s\n"
                 "  AES-GCM-128              :     300000 KiB/s\nnoise\n"
                 "  ECDHE-secp256r1          :        365 ephemeral handshake/s\n"
                 "  RSA-2048                 :        100  public/s\n")
    rs = reader.read_rates(f)
    # units of two words (the ECDHE line was missed before), and RSA's two spaces
    assert reader.rate(rs, "ECDHE-secp256r1", "ephemeral handshake") == 365
    assert reader.rate(rs, "RSA-2048", "public") == 100
    assert reader.rate(rs, "ECDSA-secp256r1", "verify") == 456
    assert reader.rate(rs, "AES-GCM-128", "KiB") == 300000
    assert reader.rate(rs, "nope", "sign") is None


def test_kind_of_unknown(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("hello\n")
    assert reader.kind_of(f) is None
    assert reader.kind_of(tmp_path) is None
