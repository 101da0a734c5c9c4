"""Readers of the other tools' outputs the bench scripts keep beside their runs (part of
the reader: each raises records.FormatError naming the file and line).

    read_times(path)          bash `time` lines with TIMEFORMAT='%R %U %S' -> [CpuTime]
    read_openssl_speed(path)  `openssl speed ecdsap256 ecdhp256` -> {"sign", "verify", "ecdh"}
    read_wolfcrypt(path)      wolfCrypt's benchmark -> [(line, avg ms)]
    read_server_heap(path)    a server's stdout with --mem -> its conn_peak_max (None: none)
    read_stime(path)          openssl s_time -> (connections, connections per user second)
"""

import re
from dataclasses import dataclass
from typing import Optional

from .records import FormatError


def _lines(path):
    path = str(path)
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    except OSError as e:
        raise FormatError(path, 0, f"cannot read: {e.strerror}") from None


@dataclass
class CpuTime:
    """One timed command: wall-clock, user and system seconds."""
    real_s: float
    user_s: float
    sys_s: float

    @property
    def share(self) -> float:
        """The CPU share (user + sys) / real, 1 when it is not in (0, 1): on a busy host a
        benchmark that counts per wall-clock second got this fraction of a CPU."""
        s = (self.user_s + self.sys_s) / self.real_s if self.real_s > 0 else 0.0
        return s if 0 < s < 1 else 1.0


def read_times(path):
    out = []
    for i, line in enumerate(_lines(path), start=1):
        w = line.split()
        if not w:
            continue
        try:
            if len(w) != 3:
                raise ValueError
            out.append(CpuTime(*(float(x) for x in w)))
        except ValueError:
            raise FormatError(path, i, f"'{line}' is not 'REAL USER SYS' seconds") from None
    return out


_SPEED_ECDSA = re.compile(r"\bbits ecdsa \(nistp256\)")
_SPEED_ECDH = re.compile(r"\bbits ecdh +\(nistp256\)")


def read_openssl_speed(path):
    """The last 'NNN bits ecdsa (nistp256) ... sign/s verify/s' and 'NNN bits ecdh
    (nistp256) ... op/s' lines' per-second figures; a key is absent when its line is."""
    out = {}
    for i, line in enumerate(_lines(path), start=1):
        w = line.split()
        try:
            if _SPEED_ECDSA.search(line):
                out["sign"], out["verify"] = float(w[-2]), float(w[-1])
            elif _SPEED_ECDH.search(line):
                out["ecdh"] = float(w[-1])
        except (ValueError, IndexError):
            raise FormatError(path, i, "a nistp256 line without its per-second figures") from None
    return out


_AVG = re.compile(r"\bavg\s+(\S+)")


def read_wolfcrypt(path):
    """(line, avg ms) for every line of wolfCrypt's benchmark that gives an 'avg X ms'."""
    out = []
    for i, line in enumerate(_lines(path), start=1):
        m = _AVG.search(line)
        if m:
            try:
                out.append((line, float(m.group(1))))
            except ValueError:
                raise FormatError(path, i, f"avg '{m.group(1)}' is not a number") from None
    return out


def wolfcrypt_avg(avgs, *words) -> Optional[float]:
    """The avg ms of the first line holding every one of WORDS; None when none does."""
    for line, ms in avgs:
        if all(w in line for w in words):
            return ms
    return None


_HEAP = re.compile(r"^heap conn_peak_max=(\S*)")


def read_server_heap(path) -> Optional[int]:
    """The server's 'heap conn_peak_max=N ...' line (--mem), None when it has none."""
    for i, line in enumerate(_lines(path), start=1):
        m = _HEAP.match(line)
        if m:
            try:
                return int(m.group(1))
            except ValueError:
                raise FormatError(path, i, f"conn_peak_max '{m.group(1)}' is not a number") from None
    return None


_STIME = re.compile(r"^\s*([0-9]+) connections in .*?([0-9.]+) connections/user sec")


def read_stime(path):
    """(connections, connections per user-CPU second) of `openssl s_time`'s first
    "N connections in Ts; U connections/user sec, ..." line; None when it has none."""
    for i, line in enumerate(_lines(path), start=1):
        m = _STIME.match(line)
        if m:
            try:
                return int(m.group(1)), float(m.group(2))
            except ValueError:
                raise FormatError(path, i, f"'{m.group(2)}' connections/user sec is not a number") from None
    return None
