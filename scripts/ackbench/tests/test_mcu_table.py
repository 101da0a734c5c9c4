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
