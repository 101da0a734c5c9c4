#!/bin/bash
# progress.sh - the client's progress line: on stderr when stderr is a terminal (a pty made
# by script(1)), never with -q, never when stderr is a file or a pipe.
#   test/progress.sh BIN_DIR
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

command -v script >/dev/null || { echo "progress.sh: needs script (bsdutils)" >&2; exit 2; }
CR=$(printf '\r')

# on_tty NAME ARGS...: a tcp client run (against a fresh server) with its output on a pty;
# the pty's bytes (stdout and stderr) go to $TMP/NAME.tty.
on_tty() {
	local name=$1
	shift
	start_server "$name-srv" tcp_server -b 127.0.0.1 || return 0
	RC=0
	timeout -k 5 60 script -qec "$BIN/tcp_client -p $SRV_PORT -s 64,1K -n 50 -w 0 $*" /dev/null \
		>"$TMP/$name.tty" </dev/null || RC=$?
	wait_exit "$SRV_PID" 10
}

on_tty tty
check_rc "client on a terminal: exit 0" "$RC" 0 "$TMP/tty.tty"
check_grep "progress line for the first size" "$TMP/tty.tty" "${CR}tcp_client: size 64 \(1 of 2\): [0-9]+/50, 0 lost"
check_grep "progress line for the second size" "$TMP/tty.tty" "${CR}tcp_client: size 1024 \(2 of 2\): [0-9]+/50, 0 lost"
check_grep "the progress line is erased before the table (first size)" "$TMP/tty.tty" "${CR} +${CR}size +phase "
check_grep "the progress line is erased before the table (second size)" "$TMP/tty.tty" "${CR} +${CR}1024 +connect "

on_tty quiet -q
check_rc "client on a terminal with -q: exit 0" "$RC" 0 "$TMP/quiet.tty"
check_nogrep "no progress with -q" "$TMP/quiet.tty" "tcp_client: size"
check_grep "-q prints the result line" "$TMP/quiet.tty" "^result proto=tcp "

start_server file-srv tcp_server -b 127.0.0.1 && {
	run_client file 60 tcp_client -p "$SRV_PORT" -s 64,1K -n 50 -w 0
	wait_exit "$SRV_PID" 10
	check_rc "client with stderr in a file: exit 0" "$RC" 0 "$ERR"
	check_eq "no progress when stderr is not a terminal (stderr empty)" "$(wc -c <"$ERR")" 0
}
summary
