"""ackbench compare on made-up round summaries (the cases of test/ci.sh, and more)."""

import json

from ackbench import cmd_compare, reader


def write(d, proto, mode, r, sizes):
    body = {"tool": "ackbench", "proto": proto, "mode": mode,
            "sizes": [{"size": s, "total": {"n": 10, "p50": v, "p99": v + 1}} for s, v in sizes]}
    (d / f"{proto}-{mode}-r{r}.json").write_text(json.dumps(body))


def rounds(d):
    for r in range(1, 7):
        write(d, "tcp", "keep", r, [(64, 20 + r), (256, 70 + r)])
        write(d, "tls", "keep", r, [(64, 30 + 2 * r), (256, 50 + r)])
        write(d, "udp", "keep", r, [(64, 20 + r)])
        write(d, "dtls", "keep", r, [(64, 20 + (r + 3 if r % 2 else r - 3))])


def test_table(tmp_path, capsys):
    rounds(tmp_path)
    assert cmd_compare.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "tcp vs tls (6 rounds)"
    assert out[3] == ("mode            size   tcp p50   tls p50  overhead p50 [95% CI]  "
                      "         x p50   tcp p99   tls p99")
    assert out[4] == ("keep              64      23.5      37.0  +13.5 [11.0..16.0]     "
                      "          1.57      24.5      38.0")
    assert out[5].startswith("keep             256      73.5      53.5  lower by 20.0 [20.0..20.0]")
    assert "within noise                       ~1" in out[9]


def test_tsv_and_phase(tmp_path):
    rounds(tmp_path)
    rows = cmd_compare.rows_of(reader.summaries_in([tmp_path]))
    tsv = cmd_compare.render_tsv(rows).splitlines()
    assert tsv[0].split("\t")[:4] == ["a", "b", "mode", "size"]
    assert tsv[1].split("\t") == ["tcp", "tls", "keep", "64", "23.5", "37", "13.5", "1.57",
                                  "24.5", "38", "13.5", "1.55", "11", "16",
                                  "+13.5 [11.0..16.0]", "6"]
    assert cmd_compare.rows_of(reader.summaries_in([tmp_path]), "cpu") == []


def test_one_side_and_few_rounds(tmp_path, capsys):
    write(tmp_path, "tls", "per-message", 1, [(64, 900)])
    write(tmp_path, "tcp", "keep", 1, [(64, 20)])
    write(tmp_path, "tls", "keep", 1, [(64, 35)])
    assert cmd_compare.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "per-message       64         -     900.0  -                                   -" in out
    assert "keep              64      20.0      35.0  +15.0 (no CI)                    1.75" in out


def test_errors(tmp_path, capsys):
    assert cmd_compare.main(["-p", "nope", str(tmp_path)]) == 2
    assert cmd_compare.main([str(tmp_path / "absent")]) == 2
    assert cmd_compare.main([str(tmp_path)]) == 1
    (tmp_path / "x.json").write_text('{"tool": "other"}')
    assert cmd_compare.main([str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["compare: -p: unknown phase 'nope' (connect, handshake, exchange, close, total, cpu)",
                   f"compare: '{tmp_path}/absent': no such file or directory",
                   f"compare: no JSON summary in: {tmp_path}",
                   f"compare: no tcp/tls/udp/dtls summary in: {tmp_path}"]
