"""ackbench mcu-table on a made-up mcu.json (every kind of row, a failed handshake, a
rogue certificate not refused, nulls), against the lines the jq version printed."""

import os

from ackbench import cmd_mcu_table

SAMPLE = os.path.join(os.path.dirname(__file__), "mcu-sample.json")


def test_table(capsys):
    assert cmd_mcu_table.main(["-f", "100000000", SAMPLE]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == ("# each side measured apart; median of n handshakes. ms@100MHz = "
                      "instructions / clock:")
    assert out[5] == ("key     proto   kind    side      n  instructions   ms@100MHz  heap_peak "
                      "stack_peak bytes_out bytes_in")
    # sorted by key, protocol (tls1.2, tls1.3, dtls1.2), full first, side
    assert out[6:11] == [
        "ec256   tls1.2  full    client    3      11111111       111.1      15000       3000       300      200",
        "ec256   tls1.2  resumed client    3          2345           0      15000       3000       300      200  FAILED 1",
        "ec256   tls1.3  full    server    3      12345678       123.5      20000       4000       900      400",
        "ec256   dtls1.2 full    client    3      22345678       223.5      25000       null      1300     1200",
        "rsa2048 tls1.3  full    client    3      99999999        1000      15000       3000       300      200"]
    assert "ec256   gen 1000  shared 2000  sign 3000  verify 4000  side 3333333  full/floor 3.33..6.7" in out
    assert "ec384   gen 1  shared 2  sign 3  verify 4  side 5  full/floor -" in out
    assert "ec256   tls1.3    1024  server       123456      1234.6          1100" in out
    assert "# rogue certificates (another CA): 1 of 2 refused: NOT refused: rsa2048/tls1.2/rogue" in out
    assert out[-2:] == ["  benchmark         5000 flash", "  mbedcrypto      150000 flash"]


def test_own_clock_and_errors(capsys):
    assert cmd_mcu_table.main([SAMPLE]) == 0
    assert "ms@25MHz" in capsys.readouterr().out
    assert cmd_mcu_table.main(["-f", "fast", SAMPLE]) == 2
    assert capsys.readouterr().err == "mcu-table: -f: 'fast' is not a number of Hz\n"
    assert cmd_mcu_table.main([]) == 2


def test_versus(tmp_path, capsys):
    """-c: a made-up PSK run beside the sample (certificate) run."""
    import json
    psk = json.load(open(SAMPLE))
    psk["config"] = "mcu-psk"
    psk["handshakes"] = [
        {"key": "psk", "proto": "tls1.3", "kind": "full", "side": "server", "n": 2, "ok": 2,
         "instr": 123456, "heap_peak": 18000, "stack_peak": 2000, "hs_bytes_out": 200,
         "hs_bytes_in": 230, "suite": "x", "group": "none", "kex": "psk_ke"},
        {"key": "psk-dhe", "proto": "tls1.3", "kind": "full", "side": "server", "n": 2, "ok": 1,
         "instr": 6172839, "heap_peak": 19000, "stack_peak": 2100, "hs_bytes_out": 280,
         "hs_bytes_in": 310, "suite": "x", "group": "secp256r1", "kex": "psk_dhe_ke"}]
    psk["footprint"] = {"flash": 150000, "ram_static": 9000, "component_mbedcrypto": 120000}
    p = tmp_path / "psk.json"
    p.write_text(json.dumps(psk))
    assert cmd_mcu_table.main(["-c", SAMPLE, str(p)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "cert    tls1.3  server  -               12345678       1     20000       4000       900      400" in out
    assert "psk     tls1.3  server  psk_ke            123456    0.01     18000       2000       200      230" in out
    assert ("psk-dhe tls1.3  server  psk_dhe_ke       6172839     0.5     19000       2100       280      310"
            "  FAILED 1") in out
    assert "  flash                 200000    150000     50000" in out
    assert "  mbedcrypto            150000    120000     30000" in out
    # the certificate run given as the PSK run, an unknown key, a missing file
    assert cmd_mcu_table.main(["-c", SAMPLE, SAMPLE]) == 2
    assert "not a PSK run" in capsys.readouterr().err
    assert cmd_mcu_table.main(["-c", SAMPLE, "-k", "ec999", str(p)]) == 2
    assert capsys.readouterr().err == "mcu-table: -k: the certificate run has no key 'ec999'\n"
    assert cmd_mcu_table.main(["-c", str(tmp_path / "none.json"), str(p)]) == 2
