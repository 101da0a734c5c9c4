# shellcheck shell=bash
# link-spec.sh - link specs of scripts/link.sh (sourced): a profile name or key=value pairs
# separated by ',' or ':' (docs/links.md). linkspec_parse SPEC sets the LS_* variables
# below or prints one line naming what is wrong and returns 2.
#   LS_DELAY_UP_US LS_DELAY_DOWN_US LS_JITTER_US   one-way delays, jitter (microseconds)
#   LS_LOSS_UP LS_LOSS_DOWN                         loss ratios (0 <= x < 1, decimal text)
#   LS_BURST                                        mean loss burst length (packets, >= 1)
#   LS_DROP_UP LS_DROP_DOWN                         packet numbers to drop ("3+4", "" none)
#   LS_RATE_UP LS_RATE_DOWN                         bit/s (0: not limited)
#   LS_QUEUE LS_MTU LS_SEED LS_ENGINE LS_REORDER LS_SPEC (the normalised spec)

# The named profiles; docs/links.md gives each one's sources.
linkspec_profile() {
	case "$1" in
	lan) echo "rtt=0.5ms" ;;
	wifi) echo "rtt=10ms:jitter=3ms:loss=0.2%:rate=50mbit:queue=200" ;;
	lte) echo "rtt=50ms:jitter=5ms:loss=0.1%:rate.down=20mbit:rate.up=5mbit:queue=200" ;;
	nbiot) echo "rtt=600ms:rate.down=26kbit:rate.up=62kbit:queue=20:mtu=1280" ;;
	geo) echo "rtt=600ms:rate.down=20mbit:rate.up=5mbit:queue=1000" ;;
	lossy) echo "rtt=20ms:loss=5%:burst=3" ;;
	*) return 1 ;;
	esac
}
LINKSPEC_PROFILES="lan wifi lte nbiot geo lossy"

linkspec_err() {
	echo "link: $*" >&2
	return 2
}

# _ls_time KEY VALUE: microseconds from "80ms", "0.5ms", "1s", "200us" (a bare number is ms).
_ls_time() {
	local us
	us=$(awk -v v="$2" 'BEGIN {
		if (v !~ /^[0-9]+(\.[0-9]+)?(us|ms|s)?$/) exit 1
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		m = (u == "us") ? 1 : (u == "s") ? 1000000 : 1000
		x = n * m; if (x > 60000000) exit 1
		printf "%d", x + 0.5 }') || {
		linkspec_err "$1=$2: not a time like 80ms, 0.5ms, 1s or 200us (at most 60s)"
		return 2
	}
	echo "$us"
}

# _ls_loss KEY VALUE: a ratio from "1%", "0.5%" (a bare number is a percentage), below 100%.
_ls_loss() {
	awk -v v="$2" 'BEGIN {
		if (v !~ /^[0-9]+(\.[0-9]+)?%?$/) exit 1
		n = v + 0; if (n >= 100) exit 1
		printf "%.6f", n / 100 }' || {
		linkspec_err "$1=$2: not a loss from 0% to below 100% (e.g. 1% or 0.5%)"
		return 2
	}
}

# _ls_rate KEY VALUE: bit/s from "10mbit", "256kbit", "1gbit", "9600bit".
_ls_rate() {
	awk -v v="$2" 'BEGIN {
		if (v !~ /^[0-9]+(\.[0-9]+)?(bit|kbit|mbit|gbit)$/) exit 1
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		m = (u == "kbit") ? 1e3 : (u == "mbit") ? 1e6 : (u == "gbit") ? 1e9 : 1
		x = n * m; if (x < 1000 || x > 10e9) exit 1
		printf "%d", x + 0.5 }' || {
		linkspec_err "$1=$2: not a rate like 10mbit, 256kbit or 1gbit (1kbit to 10gbit)"
		return 2
	}
}

# _ls_int KEY VALUE MIN MAX
_ls_int() {
	case "$2" in
	'' | *[!0-9]* | 0?*) ;;
	*) if [ "${#2}" -le 18 ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		echo "$2"
		return 0
	fi ;;
	esac
	linkspec_err "$1=$2: not a whole number from $3 to $4"
}

linkspec_parse() {
	local spec=$1 prof item key val rtt_us="" t
	LS_DELAY_UP_US="" LS_DELAY_DOWN_US="" LS_JITTER_US=0 LS_LOSS_UP=0 LS_LOSS_DOWN=0
	LS_BURST=1 LS_DROP_UP="" LS_DROP_DOWN="" LS_RATE_UP=0 LS_RATE_DOWN=0 LS_QUEUE=100
	LS_MTU=1500 LS_SEED=1 LS_ENGINE=nfqueue LS_REORDER=0
	[ -n "$spec" ] || { linkspec_err "empty link spec (a profile: $LINKSPEC_PROFILES; or key=value pairs)"; return 2; }
	case "$spec" in
	*=*) ;;
	*) prof=$(linkspec_profile "$spec") ||
		{ linkspec_err "unknown link profile '$spec' (known: $LINKSPEC_PROFILES)"; return 2; }
		spec=$prof ;;
	esac
	# A profile may start a spec and be refined: "lte:loss=2%".
	local first=${spec%%[,:]*}
	if [ "$first" = "${first%=*}" ] && [ "$first" != "$spec" ]; then
		prof=$(linkspec_profile "$first") ||
			{ linkspec_err "unknown link profile '$first' (known: $LINKSPEC_PROFILES)"; return 2; }
		spec="$prof:${spec#*[,:]}"
	fi
	local IFS=',:'
	local -a items
	read -ra items <<<"$spec"
	IFS=' '
	for item in "${items[@]}"; do
		[ -n "$item" ] || continue
		case "$item" in *=*) ;; *) linkspec_err "'$item': not key=value"; return 2 ;; esac
		key=${item%%=*} val=${item#*=}
		case "$key" in
		rtt) t=$(_ls_time "$key" "$val") || return 2; rtt_us=$t ;;
		delay) t=$(_ls_time "$key" "$val") || return 2; LS_DELAY_UP_US=$t LS_DELAY_DOWN_US=$t ;;
		delay.up) LS_DELAY_UP_US=$(_ls_time "$key" "$val") || return 2 ;;
		delay.down) LS_DELAY_DOWN_US=$(_ls_time "$key" "$val") || return 2 ;;
		jitter) LS_JITTER_US=$(_ls_time "$key" "$val") || return 2 ;;
		loss) t=$(_ls_loss "$key" "$val") || return 2; LS_LOSS_UP=$t LS_LOSS_DOWN=$t ;;
		loss.up) LS_LOSS_UP=$(_ls_loss "$key" "$val") || return 2 ;;
		loss.down) LS_LOSS_DOWN=$(_ls_loss "$key" "$val") || return 2 ;;
		burst)
			LS_BURST=$(awk -v v="$val" 'BEGIN { if (v !~ /^[0-9]+(\.[0-9]+)?$/ || v + 0 < 1 || v + 0 > 1000) exit 1; print v + 0 }') ||
				{ linkspec_err "burst=$val: not a mean burst length from 1 to 1000 packets"; return 2; } ;;
		drop.up | drop.down)
			case "$val" in
			'' | +* | *+ | *++* | *[!0-9+]* | 0* | *+0*)
				linkspec_err "$key=$val: not a list of packet numbers like 3+4 (from 1)"; return 2 ;;
			esac
			[ "$(echo "$val" | tr -cd + | wc -c)" -lt 64 ] ||
				{ linkspec_err "$key=$val: at most 64 packet numbers"; return 2; }
			if [ "$key" = drop.up ]; then LS_DROP_UP=$val; else LS_DROP_DOWN=$val; fi ;;
		rate) t=$(_ls_rate "$key" "$val") || return 2; LS_RATE_UP=$t LS_RATE_DOWN=$t ;;
		rate.up) LS_RATE_UP=$(_ls_rate "$key" "$val") || return 2 ;;
		rate.down) LS_RATE_DOWN=$(_ls_rate "$key" "$val") || return 2 ;;
		queue) LS_QUEUE=$(_ls_int "$key" "$val" 2 100000) || return 2 ;;
		mtu) LS_MTU=$(_ls_int "$key" "$val" 576 9000) || return 2 ;;
		seed) LS_SEED=$(_ls_int "$key" "$val" 0 999999999999) || return 2 ;;
		engine)
			case "$val" in
			nfqueue | netem) LS_ENGINE=$val ;;
			*) linkspec_err "engine=$val: not nfqueue or netem"; return 2 ;;
			esac ;;
		reorder)
			case "$val" in
			on | yes | 1) LS_REORDER=1 ;;
			off | no | 0) LS_REORDER=0 ;;
			*) linkspec_err "reorder=$val: not on or off"; return 2 ;;
			esac ;;
		*) linkspec_err "unknown link key '$key' (keys: rtt delay delay.up delay.down jitter loss loss.up loss.down burst drop.up drop.down rate rate.up rate.down queue mtu seed engine reorder)"; return 2 ;;
		esac
	done
	# rtt splits in two equal halves unless a direction's delay is given.
	[ -n "$rtt_us" ] || rtt_us=0
	[ -n "$LS_DELAY_UP_US" ] || LS_DELAY_UP_US=$((rtt_us / 2))
	[ -n "$LS_DELAY_DOWN_US" ] || LS_DELAY_DOWN_US=$((rtt_us - rtt_us / 2))
	if [ "$LS_ENGINE" = netem ] && { [ -n "$LS_DROP_UP$LS_DROP_DOWN" ] || [ "$LS_REORDER" = 0 ] && [ "$LS_JITTER_US" != 0 ]; }; then
		linkspec_err "engine=netem: drop lists and jitter without reordering need engine=nfqueue"
		return 2
	fi
	LS_SPEC="delay.up=${LS_DELAY_UP_US}us:delay.down=${LS_DELAY_DOWN_US}us:jitter=${LS_JITTER_US}us"
	LS_SPEC="$LS_SPEC:loss.up=$LS_LOSS_UP:loss.down=$LS_LOSS_DOWN:burst=$LS_BURST"
	LS_SPEC="$LS_SPEC:drop.up=${LS_DROP_UP:-none}:drop.down=${LS_DROP_DOWN:-none}"
	LS_SPEC="$LS_SPEC:rate.up=${LS_RATE_UP}bit:rate.down=${LS_RATE_DOWN}bit:queue=$LS_QUEUE"
	LS_SPEC="$LS_SPEC:mtu=$LS_MTU:seed=$LS_SEED:engine=$LS_ENGINE:reorder=$LS_REORDER"
	return 0
}
