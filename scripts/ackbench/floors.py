"""Crypto floors: the microseconds of CPU the public-key operations of one mutually
authenticated (EC)DHE handshake take, 2 ECDHE + 2 signatures + 4 verifications (each side
one key exchange and one signature; each verifies the peer's certificate chain and
signature), from each stack's own crypto benchmark. A benchmark that counts per wall-clock
second is scaled by the CPU share of its run (toolout.CpuTime.share), as the bench scripts
time it: on a busy host it got less than a CPU."""

import os
from typing import Optional

from . import reader, toolout


def handshake_floor_us(ecdhe_per_s, sign_per_s, verify_per_s, share_ecdhe=1.0, share_sig=1.0):
    """us of 2 ECDHE + 2 signs + 4 verifies from operations per second (each scaled by the
    CPU share of the run that measured it)."""
    return 1e6 * (2 * share_ecdhe / ecdhe_per_s + 2 * share_sig / sign_per_s
                  + 4 * share_sig / verify_per_s)


def _share(times, i):
    return times[i].share if i < len(times) else 1.0


def mbedtls_floor(bench_txt, time_txt=None) -> Optional[float]:
    """From Mbed TLS's programs/test/benchmark output (its 'ecdh' run first, its 'ecdsa' run
    second in TIME_TXT's lines); None when a figure is missing."""
    if not os.path.isfile(bench_txt):
        return None
    rates = reader.read_rates(bench_txt)
    e = reader.rate(rates, "ECDHE-secp256r1", "ephemeral handshake")
    s = reader.rate(rates, "ECDSA-secp256r1", "sign")
    v = reader.rate(rates, "ECDSA-secp256r1", "verify")
    if not (e and s and v):
        return None
    t = toolout.read_times(time_txt) if time_txt and os.path.isfile(time_txt) else []
    return handshake_floor_us(e, s, v, _share(t, 0), _share(t, 1))


def openssl_floor(speed_txt) -> Optional[float]:
    """From `openssl speed ecdsap256 ecdhp256` (per CPU second already: no share)."""
    if not os.path.isfile(speed_txt):
        return None
    f = toolout.read_openssl_speed(speed_txt)
    if not all(f.get(k) for k in ("ecdh", "sign", "verify")):
        return None
    return handshake_floor_us(f["ecdh"], f["sign"], f["verify"])


def wolfssl_floor(ecc_txt, kg_txt, time_txt) -> Optional[float]:
    """From wolfCrypt's benchmark -ecc -p256 (ECDHE agree, ECDSA sign and verify) and
    -ecc-kg -p256 (key generation), avg ms per operation wall-clock, the two runs' CPU
    shares in TIME_TXT's lines 1 and 2. An ECDHE is a key generation and an agreement."""
    if not (os.path.isfile(ecc_txt) and os.path.isfile(kg_txt)):
        return None
    ecc, kgl = toolout.read_wolfcrypt(ecc_txt), toolout.read_wolfcrypt(kg_txt)
    ag = toolout.wolfcrypt_avg(ecc, "ECDHE", "agree")
    sg = toolout.wolfcrypt_avg(ecc, "ECDSA", "sign")
    vf = toolout.wolfcrypt_avg(ecc, "ECDSA", "verify")
    kg = toolout.wolfcrypt_avg(kgl, "ECC", "key gen")
    if None in (ag, sg, vf, kg):
        return None
    t = toolout.read_times(time_txt) if os.path.isfile(time_txt) else []
    s1, s2 = _share(t, 0), _share(t, 1)
    return 1000 * (2 * (kg * s2 + ag * s1) + (2 * sg + 4 * vf) * s1)
