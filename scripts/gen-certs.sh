#!/usr/bin/env bash
#
# gen-certs.sh - generate the test PKI for ackbench's TLS/DTLS benchmarks.
#
# Produces a test CA, a server and a client certificate, plus a set of
# deliberately broken certificates (DIR/bad/) for the negative tests.
# Good certificates are back-dated by one day so that boards whose clock
# lags the host a little still accept them.  `openssl x509 -days` (OpenSSL
# 3.0) cannot back-date, so everything is signed with `openssl ca` and
# explicit -startdate/-enddate against a throw-away CA database.
#
# Run with -h for usage.

set -eu

prog=gen-certs
script_dir=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
# ML-DSA keys need OpenSSL 3.5: the openssl command of the openssl stack's own build
# (make STACK=openssl builds it) when $OPENSSL is not set; other types use the system's.
OSSL35="$repo_root/build/native/openssl/apps/openssl"

usage() {
    cat <<EOF
Usage: $(basename "$0") [-o DIR] [-t TYPE] [-d DAYS] [-f] [NAME_OR_IP ...]

Generate the test certificates used by ackbench's TLS/DTLS benchmarks:
a test CA, a server and a client certificate (all PEM), plus deliberately
bad certificates in DIR/bad/ for the negative tests.

Options:
  -o DIR    output directory (default: $repo_root/certs)
  -t TYPE   key type: ec256 (P-256, ECDSA-SHA256; default),
            ec384 (P-384, ECDSA-SHA384), rsa2048, rsa3072 (RSA, SHA-256),
            mldsa44, mldsa65 (ML-DSA, FIPS 204; needs OpenSSL 3.5: make STACK=openssl)
  -d DAYS   validity of the good certificates, in days from now
            (default: 3650)
  -f        regenerate even if DIR already holds a matching set
  -h        show this help (also --help)

Each NAME_OR_IP is added to the server certificate's subjectAltName, after
DNS:localhost, IP:127.0.0.1 and IP:::1.  IPv4/IPv6 literals become IP:
entries, anything else a DNS: entry.

If DIR already holds a complete set of the requested type whose server
certificate covers all requested names, nothing is done (unless -f).

Good certificates are valid from one day in the past, to tolerate clock
skew between the host and the boards.

Files written to DIR:
  ca.crt ca.key  server.crt server.key  client.crt client.key  certs.info
  int-ca.crt int-ca.key  (an intermediate CA, issued by ca)
  chain-server.crt chain-server.key  chain-client.crt chain-client.key
            (the same names, issued by int-ca; each .crt holds the leaf and then
            int-ca's certificate, the chain a peer sends: --chain, matrix chain=inter)
  bad/rogue-ca.*  bad/rogue-server.*  bad/rogue-client.*  (other CA)
  bad/expired-server.*  bad/expired-client.*  (valid only during 2020)
  bad/notyet-server.*  (valid from 10 years in the future)
  bad/wrongname-server.*  (only DNS:wrong.example.invalid)
  bad/noclientauth-client.*  (extendedKeyUsage serverAuth only)

Environment:
  OPENSSL   openssl binary to use (default: openssl; for mldsa44/mldsa65 the
            openssl stack's build/native/openssl/apps/openssl)
EOF
}

err() {
    printf '%s: %s\n' "$prog" "$*" >&2
}

die() {
    err "$@"
    exit 1
}

usage_error() {
    err "$@"
    err "try '$(basename "$0") -h' for help"
    exit 2
}

# ---------------------------------------------------------------------------
# Temporary files

work=
stage=
pids=()

cleanup() {
    local pid
    # Stop key generators still running (after an error or a signal)
    # before their output directories go away.
    for pid in "${pids[@]+"${pids[@]}"}"; do
        kill "$pid" 2>/dev/null || :
    done
    for pid in "${pids[@]+"${pids[@]}"}"; do
        wait "$pid" 2>/dev/null || :
    done
    if [ -n "$work" ]; then
        rm -rf -- "$work"
    fi
    if [ -n "$stage" ]; then
        rm -rf -- "$stage"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run LABEL CMD [ARG...]: run CMD quietly; on failure, report its output
# (one prefixed line per line) and die.
run() {
    local label=$1 log line
    shift
    log="$work/log.$label"
    if ! "$@" >"$log" 2>&1; then
        while IFS= read -r line; do
            err "$label: $line"
        done <"$log"
        die "$label: '$1 $2' failed"
    fi
}

# ---------------------------------------------------------------------------
# Name handling

# ipv4_canon ADDR: print ADDR in canonical dotted-decimal form, or fail.
ipv4_canon() {
    local re='^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$'
    local i out=
    [[ $1 =~ $re ]] || return 1
    for i in 1 2 3 4; do
        (( 10#${BASH_REMATCH[i]} <= 255 )) || return 1
        out="$out${out:+.}$((10#${BASH_REMATCH[i]}))"
    done
    printf '%s\n' "$out"
}

# split_groups STR: check that STR is a (possibly empty) ':'-separated list
# of 1-4 digit hex groups and store them in the global array 'groups'.
split_groups() {
    groups=()
    [ -z "$1" ] && return 0
    [[ $1 =~ ^[0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{1,4})*$ ]] || return 1
    IFS=: read -r -a groups <<<"$1"
}

# ipv6_canon ADDR: print ADDR fully expanded (8 upper-case hex groups,
# no leading zeros: the way OpenSSL prints IP SANs), or fail.
ipv6_canon() {
    local a=$1 head tail v4 o1 o2 o3 o4 n i out=
    local -a hg tg all
    [[ $a == *:* && $a =~ ^[0-9A-Fa-f:.]+$ ]] || return 1
    # Trailing embedded IPv4 address (::ffff:192.0.2.1).
    if [[ $a =~ ^(.*:)([0-9.]+)$ && ${BASH_REMATCH[2]} == *.* ]]; then
        head=${BASH_REMATCH[1]}
        v4=$(ipv4_canon "${BASH_REMATCH[2]}") || return 1
        IFS=. read -r o1 o2 o3 o4 <<<"$v4"
        a=$(printf '%s%x:%x' "$head" $((o1 * 256 + o2)) $((o3 * 256 + o4)))
    fi
    [[ $a == *.* || $a == *::*::* || $a == *:::* ]] && return 1
    if [[ $a == *::* ]]; then
        head=${a%%::*}
        tail=${a#*::}
        split_groups "$head" || return 1
        hg=("${groups[@]}")
        split_groups "$tail" || return 1
        tg=("${groups[@]}")
        n=$((8 - ${#hg[@]} - ${#tg[@]}))
        (( n >= 1 )) || return 1
        all=("${hg[@]}")
        for ((i = 0; i < n; i++)); do
            all+=(0)
        done
        all+=("${tg[@]}")
    else
        split_groups "$a" || return 1
        all=("${groups[@]}")
        (( ${#all[@]} == 8 )) || return 1
    fi
    for i in "${all[@]}"; do
        out="$out${out:+:}$(printf '%X' $((16#$i)))"
    done
    printf '%s\n' "$out"
}

# san_entry NAME: set san_spec (for the OpenSSL config / certs.info) and
# san_key (canonical form, for comparisons), or fail with a message.
san_entry() {
    local n=$1 c
    if c=$(ipv4_canon "$n"); then
        san_spec="IP:$c"
        san_key="IP:$c"
        return 0
    fi
    if [[ $n =~ ^[0-9.]+$ ]]; then
        err "'$n' is not a valid IPv4 address"
        return 1
    fi
    if [[ $n == *:* ]]; then
        n=${n#\[}
        n=${n%\]}
        if c=$(ipv6_canon "$n"); then
            san_spec="IP:$(printf '%s' "$n" | tr 'A-F' 'a-f')"
            san_key="IP:$c"
            return 0
        fi
        case $n in
            *%*) err "'$1': IPv6 zone ids are not supported in certificates" ;;
            *) err "'$1' is not a valid IPv6 address" ;;
        esac
        return 1
    fi
    n=${n%.}
    if [[ ${#n} -le 253 && $n =~ ^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$ ]]; then
        n=$(printf '%s' "$n" | tr '[:upper:]' '[:lower:]')
        san_spec="DNS:$n"
        san_key="DNS:$n"
        return 0
    fi
    err "'$1' is neither an IP address nor a valid DNS name"
    return 1
}

# cert_sans FILE: print the canonical SAN entries of a certificate, one a line.
cert_sans() {
    local out line e
    out=$("$OPENSSL" x509 -in "$1" -noout -ext subjectAltName 2>/dev/null) || return 1
    printf '%s\n' "$out" | tail -n +2 | tr ',' '\n' | while IFS= read -r line; do
        e=${line#"${line%%[![:space:]]*}"}
        case $e in
            "IP Address:"*)
                e=${e#IP Address:}
                if [[ $e == *:* ]]; then
                    e=$(ipv6_canon "$e") || e="?$e"
                fi
                printf 'IP:%s\n' "$e"
                ;;
            DNS:*)
                printf 'DNS:%s\n' "$(printf '%s' "${e#DNS:}" | tr '[:upper:]' '[:lower:]')"
                ;;
            ?*)
                printf '%s\n' "$e"
                ;;
        esac
    done
}

# cert_type FILE: print the key/signature type of a certificate (ec256, ec384,
# rsa2048, rsa3072, mldsa44, mldsa65) or "unknown".
cert_type() {
    local text
    if ! text=$("$OPENSSL" x509 -in "$1" -noout -text 2>/dev/null); then
        echo unknown
        return 0
    fi
    case $text in
        *"Signature Algorithm: ecdsa-with-SHA256"*)
            case $text in *"NIST CURVE: P-256"*) echo ec256; return 0 ;; esac ;;
        *"Signature Algorithm: ecdsa-with-SHA384"*)
            case $text in *"NIST CURVE: P-384"*) echo ec384; return 0 ;; esac ;;
        *"Signature Algorithm: ML-DSA-44"*) echo mldsa44; return 0 ;;
        *"Signature Algorithm: ML-DSA-65"*) echo mldsa65; return 0 ;;
        *"Signature Algorithm: sha256WithRSAEncryption"*)
            case $text in
                *"Public-Key: (2048 bit)"*) echo rsa2048; return 0 ;;
                *"Public-Key: (3072 bit)"*) echo rsa3072; return 0 ;;
            esac ;;
    esac
    echo unknown
}

# ---------------------------------------------------------------------------
# Command line

outdir="$repo_root/certs"
type=ec256
days=3650
force=0

for arg in "$@"; do
    case $arg in
        --help) usage; exit 0 ;;
        --) break ;;
    esac
done

while getopts ':o:t:d:fh' opt; do
    case $opt in
        o) outdir=$OPTARG ;;
        t) type=$OPTARG ;;
        d) days=$OPTARG ;;
        f) force=1 ;;
        h) usage; exit 0 ;;
        :) usage_error "option -$OPTARG needs an argument" ;;
        *) usage_error "unknown option -$OPTARG" ;;
    esac
done
shift $((OPTIND - 1))

case $type in
    ec256) md=sha256; keyopts=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve) ;;
    ec384) md=sha384; keyopts=(-algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve) ;;
    rsa2048) md=sha256; keyopts=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
    rsa3072) md=sha256; keyopts=(-algorithm RSA -pkeyopt rsa_keygen_bits:3072) ;;
    # ML-DSA signs the message itself: no digest ('default' lets openssl ca pick none).
    mldsa44) md=default; keyopts=(-algorithm ML-DSA-44) ;;
    mldsa65) md=default; keyopts=(-algorithm ML-DSA-65) ;;
    *) usage_error "unknown key type '$type' (want ec256, ec384, rsa2048, rsa3072, mldsa44 or mldsa65)" ;;
esac
if [ -z "${OPENSSL:-}" ]; then
    case $type in
        mldsa*)
            [ -x "$OSSL35" ] || die "-t $type needs OpenSSL 3.5's openssl command: run 'make STACK=openssl' first (or set OPENSSL)"
            OPENSSL=$OSSL35 ;;
        *) OPENSSL=openssl ;;
    esac
fi
case $type in
    rsa*) leaf_ku="digitalSignature, keyEncipherment" ;;
    *) leaf_ku="digitalSignature" ;;
esac

if ! [[ $days =~ ^[0-9]+$ ]] || (( 10#$days < 1 || 10#$days > 36500 )); then
    usage_error "-d wants a number of days between 1 and 36500, not '$days'"
fi
days=$((10#$days))

# Server SANs: the fixed ones, then the arguments, without duplicates.
san_specs=()
san_keys=()
for name in localhost 127.0.0.1 ::1 "$@"; do
    san_entry "$name" || exit 2
    dup=0
    for k in "${san_keys[@]+"${san_keys[@]}"}"; do
        [ "$k" = "$san_key" ] && dup=1
    done
    if [ "$dup" = 0 ]; then
        san_specs+=("$san_spec")
        san_keys+=("$san_key")
    fi
done
san_list=$(IFS=,; printf '%s' "${san_specs[*]}")

command -v "$OPENSSL" >/dev/null 2>&1 || die "'$OPENSSL' not found; install openssl"

good_files=(ca.crt ca.key server.crt server.key client.crt client.key int-ca.crt int-ca.key
    chain-server.crt chain-server.key chain-client.crt chain-client.key)
bad_names=(rogue-ca rogue-server rogue-client expired-server expired-client
    notyet-server wrongname-server noclientauth-client)

# ---------------------------------------------------------------------------
# Is there already a matching set?

# existing_ok: succeed if $outdir holds a complete, valid set of type $type
# whose server certificates cover all requested SANs.
existing_ok() {
    local f n have k crt
    [ -f "$outdir/certs.info" ] || return 1
    grep -qx "type=$type" "$outdir/certs.info" || return 1
    for f in "${good_files[@]}"; do
        [ -s "$outdir/$f" ] || return 1
    done
    for n in "${bad_names[@]}"; do
        [ -s "$outdir/bad/$n.crt" ] && [ -s "$outdir/bad/$n.key" ] || return 1
    done
    for crt in ca server client "${bad_names[@]/#/bad/}"; do
        [ "$(cert_type "$outdir/$crt.crt")" = "$type" ] || return 1
    done
    "$OPENSSL" verify -CAfile "$outdir/ca.crt" \
        "$outdir/server.crt" "$outdir/client.crt" >/dev/null 2>&1 || return 1
    for crt in "$outdir/server.crt" "$outdir/bad/rogue-server.crt"; do
        have=$(cert_sans "$crt") || return 1
        for k in "${san_keys[@]}"; do
            printf '%s\n' "$have" | grep -qixF -- "$k" || return 1
        done
    done
    return 0
}

if [ "$force" = 0 ] && existing_ok; then
    err "$outdir already has a complete $type set covering $san_list; nothing to do (-f to regenerate)"
    exit 0
fi

# ---------------------------------------------------------------------------
# Dates

now=$(date -u +%s)
year=$(date -u +%Y)
if (( year < 2024 )); then
    die "the system clock says $(date -u '+%Y-%m-%d %H:%M UTC'), which cannot be right; set it (date/ntp) first"
fi

# asn1_time EPOCH: YYYYMMDDHHMMSSZ for openssl ca -startdate/-enddate
# (GNU date, falling back to BSD date).
asn1_time() {
    date -u -d "@$1" +%Y%m%d%H%M%SZ 2>/dev/null || date -u -r "$1" +%Y%m%d%H%M%SZ
}

good_start=$(asn1_time $((now - 86400)))
good_end=$(asn1_time $((now + days * 86400)))
notyet_start=$(asn1_time $((now + 3650 * 86400)))
notyet_end=$(asn1_time $((now + (3650 + 365) * 86400)))
expired_start=20200101000000Z
expired_end=20201231235959Z

# ---------------------------------------------------------------------------
# Generate into a staging directory next to the output, then move into place.

mkdir -p -- "$outdir" 2>/dev/null || die "cannot create directory $outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gen-certs.XXXXXX" 2>/dev/null) ||
    die "cannot create a temporary directory in ${TMPDIR:-/tmp}"
stage=$(mktemp -d "$outdir/.gen-certs.XXXXXX" 2>/dev/null) || die "cannot write to $outdir"
mkdir "$stage/bad" "$work/newcerts"
: >"$work/index.txt"
# Serials come from 'openssl ca -rand_serial'; the file only has to exist.
echo 01 >"$work/serial"

conf="$work/openssl.cnf"
cat >"$conf" <<EOF
# Throw-away configuration written by gen-certs.sh.
[ ca ]
default_ca = ackbench_ca

[ ackbench_ca ]
database = $work/index.txt
new_certs_dir = $work/newcerts
serial = $work/serial
default_md = $md
policy = policy_any
email_in_dn = no
unique_subject = no
copy_extensions = none

[ policy_any ]
organizationName = optional
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_int_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $leaf_ku
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $san_list

[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $leaf_ku
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_wrongname ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $leaf_ku
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:wrong.example.invalid

[ v3_noclientauth ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $leaf_ku
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

# Keys: generated in parallel (RSA-3072 keygen dominates the run time),
# created under umask 077 so they are never readable by others.
keys=(ca server client int-ca chain-server chain-client)
for n in "${bad_names[@]}"; do
    keys+=("bad/$n")
done
# Each job execs openssl, so cleanup() can stop it by its pid.
for k in "${keys[@]}"; do
    (
        umask 077
        exec "$OPENSSL" genpkey -quiet "${keyopts[@]}" -out "$stage/$k.key" \
            >"$work/log.key-${k#bad/}" 2>&1
    ) &
    pids+=("$!")
done
failed=
for i in "${!pids[@]}"; do
    if ! wait "${pids[i]}"; then
        while IFS= read -r line; do
            err "key-${keys[i]#bad/}: $line"
        done <"$work/log.key-${keys[i]#bad/}"
        failed="$failed ${keys[i]}.key"
    fi
done
pids=()
[ -z "$failed" ] || die "'$OPENSSL genpkey' failed for:$failed"
for k in "${keys[@]}"; do
    chmod 600 "$stage/$k.key"
done

# sign NAME SUBJECT EXTENSIONS START END CA_NAME|-: make $stage/NAME.crt for
# $stage/NAME.key; CA_NAME "-" means self-signed.
sign() {
    local name=$1 subj=$2 ext=$3 start=$4 end=$5 ca=$6 label
    local -a issuer
    label=${name#bad/}
    if [ "$ca" = - ]; then
        issuer=(-selfsign -keyfile "$stage/$name.key")
    else
        issuer=(-cert "$stage/$ca.crt" -keyfile "$stage/$ca.key")
    fi
    run "csr-$label" "$OPENSSL" req -new -config "$conf" -key "$stage/$name.key" \
        -subj "$subj" -out "$work/$label.csr"
    run "sign-$label" "$OPENSSL" ca -batch -config "$conf" -rand_serial -notext \
        -preserveDN -md "$md" "${issuer[@]}" -extensions "$ext" \
        -startdate "$start" -enddate "$end" \
        -in "$work/$label.csr" -out "$stage/$name.crt"
}

sign ca /O=ackbench/CN=ackbench-test-ca v3_ca "$good_start" "$good_end" -
sign server /O=ackbench/CN=ackbench-server v3_server "$good_start" "$good_end" ca
sign client /O=ackbench/CN=ackbench-client v3_client "$good_start" "$good_end" ca
# The chain variant: leaves issued by an intermediate CA, each file leaf then intermediate.
sign int-ca /O=ackbench/CN=ackbench-test-intermediate-ca v3_int_ca "$good_start" "$good_end" ca
sign chain-server /O=ackbench/CN=ackbench-server v3_server "$good_start" "$good_end" int-ca
sign chain-client /O=ackbench/CN=ackbench-client v3_client "$good_start" "$good_end" int-ca
cat "$stage/int-ca.crt" >>"$stage/chain-server.crt"
cat "$stage/int-ca.crt" >>"$stage/chain-client.crt"

sign bad/rogue-ca /O=ackbench/CN=ackbench-rogue-ca v3_ca "$good_start" "$good_end" -
sign bad/rogue-server /O=ackbench/CN=ackbench-server v3_server "$good_start" "$good_end" bad/rogue-ca
sign bad/rogue-client /O=ackbench/CN=ackbench-client v3_client "$good_start" "$good_end" bad/rogue-ca
sign bad/expired-server /O=ackbench/CN=ackbench-server v3_server "$expired_start" "$expired_end" ca
sign bad/expired-client /O=ackbench/CN=ackbench-client v3_client "$expired_start" "$expired_end" ca
sign bad/notyet-server /O=ackbench/CN=ackbench-server v3_server "$notyet_start" "$notyet_end" ca
sign bad/wrongname-server /O=ackbench/CN=wrong.example.invalid v3_wrongname "$good_start" "$good_end" ca
sign bad/noclientauth-client /O=ackbench/CN=ackbench-client v3_noclientauth "$good_start" "$good_end" ca

# ---------------------------------------------------------------------------
# Verify the staged set before installing it.

# expect_ok LABEL VERIFY-ARGS...: openssl verify must succeed.
expect_ok() {
    local label=$1 out
    shift
    if ! out=$("$OPENSSL" verify "$@" 2>&1); then
        printf '%s\n' "$out" | while IFS= read -r line; do err "$label: $line"; done
        die "check failed: $label should verify but does not"
    fi
}

# expect_fail LABEL CODE VERIFY-ARGS...: openssl verify must fail, with
# X509_V_ERR code CODE and no other error.
expect_fail() {
    local label=$1 code=$2 out codes
    shift 2
    if out=$("$OPENSSL" verify "$@" 2>&1); then
        die "check failed: $label verifies but must not"
    fi
    codes=$(printf '%s\n' "$out" | sed -n 's/^error \([0-9]*\) at .*/\1/p' | sort -u | tr '\n' ' ')
    if [ "$codes" != "$code " ]; then
        printf '%s\n' "$out" | while IFS= read -r line; do err "$label: $line"; done
        die "check failed: $label fails with error(s) ${codes:-none}, expected $code"
    fi
}

s=$stage
b=$stage/bad
expect_ok "good chain" -x509_strict -CAfile "$s/ca.crt" "$s/server.crt" "$s/client.crt"
expect_ok "intermediate chain" -x509_strict -CAfile "$s/ca.crt" -untrusted "$s/int-ca.crt" \
    "$s/chain-server.crt" "$s/chain-client.crt"
expect_ok "server purpose" -CAfile "$s/ca.crt" -purpose sslserver "$s/server.crt"
expect_ok "client purpose" -CAfile "$s/ca.crt" -purpose sslclient "$s/client.crt"
for spec in "${san_specs[@]}"; do
    case $spec in
        IP:*) expect_ok "server $spec" -CAfile "$s/ca.crt" -verify_ip "${spec#IP:}" "$s/server.crt" ;;
        DNS:*) expect_ok "server $spec" -CAfile "$s/ca.crt" -verify_hostname "${spec#DNS:}" "$s/server.crt" ;;
    esac
done
expect_ok "rogue chain (own CA)" -x509_strict -CAfile "$b/rogue-ca.crt" "$b/rogue-server.crt" "$b/rogue-client.crt"
# 20 = unable to get local issuer, 10 = expired, 9 = not yet valid,
# 62 = hostname mismatch, 64 = IP mismatch, 26 = unsupported purpose.
expect_fail rogue-server 20 -CAfile "$s/ca.crt" "$b/rogue-server.crt"
expect_fail rogue-client 20 -CAfile "$s/ca.crt" "$b/rogue-client.crt"
expect_fail expired-server 10 -CAfile "$s/ca.crt" "$b/expired-server.crt"
expect_fail expired-client 10 -CAfile "$s/ca.crt" "$b/expired-client.crt"
expect_fail notyet-server 9 -CAfile "$s/ca.crt" "$b/notyet-server.crt"
expect_ok "wrongname-server chain" -CAfile "$s/ca.crt" -purpose sslserver "$b/wrongname-server.crt"
expect_fail "wrongname-server (localhost)" 62 -CAfile "$s/ca.crt" -verify_hostname localhost "$b/wrongname-server.crt"
expect_fail "wrongname-server (127.0.0.1)" 64 -CAfile "$s/ca.crt" -verify_ip 127.0.0.1 "$b/wrongname-server.crt"
expect_ok "noclientauth-client chain" -CAfile "$s/ca.crt" "$b/noclientauth-client.crt"
expect_fail noclientauth-client 26 -CAfile "$s/ca.crt" -purpose sslclient "$b/noclientauth-client.crt"

for k in "${keys[@]}"; do
    [ "$(cert_type "$stage/$k.crt")" = "$type" ] || die "check failed: $k.crt is not of type $type"
    kpub=$("$OPENSSL" pkey -in "$stage/$k.key" -pubout 2>/dev/null) || die "check failed: cannot read $k.key"
    cpub=$("$OPENSSL" x509 -in "$stage/$k.crt" -noout -pubkey 2>/dev/null) || die "check failed: cannot read $k.crt"
    [ "$kpub" = "$cpub" ] || die "check failed: $k.key does not match $k.crt"
done

# ---------------------------------------------------------------------------
# Install.  certs.info goes last, so an interrupted install is regenerated
# on the next run.

rm -f -- "$outdir/certs.info"
mkdir -p -- "$outdir/bad"
for k in "${keys[@]}"; do
    mv -f -- "$stage/$k.key" "$outdir/$k.key"
    mv -f -- "$stage/$k.crt" "$outdir/$k.crt"
done
{
    printf 'type=%s\n' "$type"
    printf 'days=%s\n' "$days"
    printf 'created=%s\n' "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$now" +%Y-%m-%dT%H:%M:%SZ)"
    printf 'not_before=%s\n' "$good_start"
    printf 'not_after=%s\n' "$good_end"
    printf 'sans=%s\n' "$san_list"
} >"$stage/certs.info"
mv -f -- "$stage/certs.info" "$outdir/certs.info"

err "wrote $type set to $outdir (valid $good_start..$good_end, sans $san_list)"
