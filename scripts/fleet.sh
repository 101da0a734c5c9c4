#!/bin/bash
# fleet.sh - many boards in one command: checks, builds for, deploys to and measures every
# pair of boards of an Ansible inventory as a plan says, into one run directory, and writes
# one report (docs/fleet.md). The work on the boards is ansible/fleet.yml's.
set -eu -o pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
LIB_PROG=fleet
LIB_ROOT=$repo
# shellcheck source=scripts/lib.sh
. "$script_dir/lib.sh"

usage() {
	cat <<USAGE
Usage: $(basename "$0") -i INVENTORY [--plan FILE] [-d DIR] [-n N] [-P PROTOS] [-m MODES]
                [-S SIZES] [--stacks LIST] [-j N] [-q]
       $(basename "$0") --resume DIR [-j N] [-q]
Runs ansible/fleet.yml over the boards of INVENTORY (Ansible INI or YAML: ansible_host,
ansible_user, ansible_port, ackbench_arch, ackbench_dir, ackbench_addr, ackbench_runner;
see docs/fleet.md): checks each board (reachable, architecture, tools, free disk and
memory, clock), builds what is missing for each architecture, deploys programs,
certificates (naming every server's address) and run scripts, then runs the plan's
measurements one at a time, rounds interleaved across the pairs, and brings both sides'
results back. A board that fails is reported and the others go on.
  -i INVENTORY  Ansible inventory file or directory
  --plan FILE   which pairs, protocols, modes, stacks, sizes, count, rounds... (key: value
                lines, docs/fleet.md); without it every ordered pair of the boards, 6 rounds
  -d DIR        run directory (results/fleet-<UTC time>); must be new or empty
  -n N          timed messages per size (the plan's count; the clients' default 1000)
  -P PROTOS     comma list of tcp, tls, udp, dtls (the plan's protocols; all four)
  -m MODES      per-message, keep or both (the plan's modes; per-message,keep)
  -S SIZES      sizes for every client (the plan's sizes; each protocol's own sweep)
  --stacks LIST comma list of TLS stacks (the plan's stacks; mbedtls)
  --resume DIR  finish the fleet run in DIR: measurements whose status is ok are skipped,
                the rest (failed, skipped, not reached) run again, with DIR's own plan and
                inventory
  -j N          make -j N for the builds (2)
  -q            Ansible's output to DIR/playbook.out only, not the terminal too
DIR gets: inventory.* and plan (copies), plan.resolved (every setting and the pairs, as
used), schedule.tsv, certs/, boards/HOST/{check,deploy}.txt, pairs/CLIENT--SERVER/STACK/rN/
{client,server,status}, playbook.log, summary.txt and report/ (python3 -m ackbench fleet).
Exit status: 0 every measurement ok, 1 some board or measurement failed, 2 usage error
(one line naming what is wrong with the options, the inventory or the plan).
USAGE
}

die2() {
	echo "fleet: $*" >&2
	exit 2
}

inv=""
plan_file=""
dir=""
resume=""
jobs=2
quiet=0
o_count="" o_protos="" o_modes="" o_sizes="" o_stacks=""
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-i | --plan | -d | -n | -P | -m | -S | --stacks | --resume | -j)
		[ $# -ge 2 ] || die2 "$1 needs a value (see --help)"
		case $1 in
		-i) inv=$2 ;;
		--plan) plan_file=$2 ;;
		-d) dir=$2 ;;
		-n) o_count=$2 ;;
		-P) o_protos=$2 ;;
		-m) o_modes=$2 ;;
		-S) o_sizes=$2 ;;
		--stacks) o_stacks=$2 ;;
		--resume) resume=$2 ;;
		-j) jobs=$2 ;;
		esac
		shift 2
		;;
	-q) quiet=1; shift ;;
	*) die2 "unknown argument '$1' (see --help)" ;;
	esac
done
lib_is_count "$jobs" || die2 "-j: '$jobs' is not a number"
for t in ansible-playbook ansible-inventory jq openssl; do
	command -v "$t" >/dev/null || { echo "fleet: $t not found (scripts/deps.sh fleet)" >&2; exit 1; }
done

if [ -n "$resume" ]; then
	[ -z "$inv$plan_file$dir$o_count$o_protos$o_modes$o_sizes$o_stacks" ] ||
		die2 "--resume takes the run's own inventory and plan: give only -j and -q with it"
	[ -r "$resume/fleet.conf" ] || die2 "--resume: $resume is not a fleet run directory (no fleet.conf)"
	run=$(cd "$resume" && pwd)
	inv=$(sed -n 's/^inventory=//p' "$run/fleet.conf")
	[ -e "$inv" ] || inv=$(sed -n 's/^inventory_copy=//p' "$run/fleet.conf")
	plan_file=$run/plan.resolved
else
	[ -n "$inv" ] || die2 "-i INVENTORY is required (see --help)"
	[ -e "$inv" ] || die2 "-i: no such file or directory '$inv'"
	[ -z "$plan_file" ] || [ -r "$plan_file" ] || die2 "--plan: cannot read '$plan_file'"
fi
inv=$(lib_abs "$inv")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fleet.XXXXXX")
PLAYBOOK_PID=""
cleanup() {
	local s
	if [ -n "$PLAYBOOK_PID" ] && kill -0 "$PLAYBOOK_PID" 2>/dev/null; then
		kill -TERM -- "-$PLAYBOOK_PID" 2>/dev/null || true
		wait "$PLAYBOOK_PID" 2>/dev/null || true
	fi
	# the ssh connections Ansible kept open (ControlPersist) end with the run
	for s in "$tmp"/cp/*; do
		[ -S "$s" ] || continue
		timeout 10 ssh -o ControlPath="$s" -O exit fleet-board >/dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the inventory ----
if ! ANSIBLE_INVENTORY_UNPARSED_FAILED=True ANSIBLE_CONFIG=$repo/ansible/ansible.cfg \
	ansible-inventory -i "$inv" --list >"$tmp/inv.json" 2>"$tmp/inv.err"; then
	why=$(tr '\n' ' ' <"$tmp/inv.err" | sed 's/  */ /g')
	why=$(printf '%s' "$why" | grep -o 'Failed to parse .*' | sed 's/ \[WARNING\].*//; s/ ERROR!.*//' | head -n 1 || true)
	die2 "-i $inv: not an Ansible inventory (INI or YAML): ${why:-$(tail -n 1 "$tmp/inv.err")}"
fi
# hosts_of NAME: the hosts of group NAME (with its children's), or NAME if it is a host.
hosts_of() {
	jq -r --arg g "$1" 'def h($g): ((.[$g].hosts // []) + ([(.[$g].children // [])[] as $c | h($c)[]]));
		if has($g) then h($g)[] elif (._meta.hostvars | has($g)) or
		([.[] | objects | .hosts // [] | .[]] | index($g)) then $g else empty end' "$tmp/inv.json"
}
hostvar() { # hostvar HOST VAR DEFAULT
	jq -r --arg h "$1" --arg v "$2" --arg d "$3" '._meta.hostvars[$h][$v] // $d | tostring' "$tmp/inv.json"
}

# ---- the plan ----
boards=all pairs=all protocols=tcp,tls,udp,dtls modes=per-message,keep stacks=mbedtls sizes=""
count="" rounds=6 port=5001 client_timeout=3600 server_idle=120 ready_timeout=60
min_disk_kb=20480 min_mem_kb=16384 seed=""
if [ -n "$plan_file" ]; then
	n=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line%%[[:space:]]#*}
		case $line in \#*) continue ;; esac
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		if [ -z "$line" ] || [ "$line" = --- ]; then continue; fi
		case $line in -*) die2 "$plan_file:$n: write a list on its key's line: 'key: [a, b]' or 'key: a, b'" ;; esac
		[[ $line =~ ^([a-z_]+):[[:space:]]*(.*)$ ]] || die2 "$plan_file:$n: '$line' is not 'key: value'"
		key=${BASH_REMATCH[1]}
		val=${BASH_REMATCH[2]}
		val=${val#[}
		val=${val%]}
		val=$(printf '%s' "$val" | sed 's/[[:space:]]*,[[:space:]]*/,/g; s/^["'\'']//; s/["'\'']$//')
		case $key in
		boards | pairs | protocols | modes | stacks | sizes | count | rounds | port | client_timeout | \
			server_idle | ready_timeout | min_disk_kb | min_mem_kb | seed)
			printf -v "$key" '%s' "$val" ;;
		links) die2 "$plan_file:$n: links: link profiles are not supported yet (docs/fleet.md)" ;;
		*) die2 "$plan_file:$n: unknown key '$key' (docs/fleet.md lists the plan's keys)" ;;
		esac
	done <"$plan_file"
fi
[ -z "$o_count" ] || count=$o_count
[ -z "$o_protos" ] || protocols=$o_protos
[ -z "$o_modes" ] || modes=$o_modes
[ -z "$o_sizes" ] || sizes=$o_sizes
[ -z "$o_stacks" ] || stacks=$o_stacks

# checks: every value named after the option or plan key it came from
from() { if [ -n "$2" ]; then echo "$2"; else echo "plan: $1"; fi; }
[ -z "$count" ] || lib_is_count "$count" || die2 "$(from count ${o_count:+-n}): '$count' is not a positive number"
for k in rounds port client_timeout server_idle ready_timeout min_disk_kb min_mem_kb; do
	lib_is_count "${!k}" || die2 "plan: $k: '${!k}' is not a positive number"
done
[ "$port" -le 65532 ] || die2 "plan: port: '$port' is not 1..65532 (4 ports from it)"
[ -z "$seed" ] || [[ $seed =~ ^[0-9]{1,10}$ ]] || die2 "plan: seed: '$seed' is not a number"
[ -n "$seed" ] || seed=$(lib_seed "")
for p in ${protocols//,/ }; do
	case $p in tcp | tls | udp | dtls) ;; *) die2 "$(from protocols ${o_protos:+-P}): unknown protocol '$p' (tcp, tls, udp, dtls)" ;; esac
done
[ -n "${protocols//,/}" ] || die2 "plan: protocols: none given"
for m in ${modes//,/ }; do
	case $m in per-message | keep) ;; *) die2 "$(from modes ${o_modes:+-m}): unknown mode '$m' (per-message, keep)" ;; esac
done
[ -z "$sizes" ] || [[ $sizes =~ ^[0-9]+[Kk]?(,[0-9]+[Kk]?)*$ ]] ||
	die2 "$(from sizes ${o_sizes:+-S}): '$sizes' is not a comma list of sizes (64,1K)"
known_stacks=" $(make -s --no-print-directory -C "$repo" print-STACKS 2>/dev/null) "
for s in ${stacks//,/ }; do
	[[ $known_stacks == *" $s "* ]] || die2 "$(from stacks ${o_stacks:+--stacks}): unknown stack '$s' (${known_stacks# })"
done

# the boards: the plan's boards, a comma or colon list of groups and hosts
all=()
for g in ${boards//[,:]/ }; do
	mapfile -t hs < <(hosts_of "$g")
	[ ${#hs[@]} -gt 0 ] || die2 "plan: boards: no group or host '$g' in $inv"
	for h in "${hs[@]}"; do
		[[ " ${all[*]-} " == *" $h "* ]] || all+=("$h")
	done
done
[ ${#all[@]} -ge 2 ] || die2 "plan: boards: '$boards' holds ${#all[@]} host(s) in $inv; a pair needs two"
is_board() { [[ " ${all[*]} " == *" $1 "* ]]; }
for h in "${all[@]}"; do
	a=$(hostvar "$h" ackbench_arch "")
	case $a in "" | aarch64 | armhf | riscv64 | x86_64) ;; *) die2 "-i $inv: $h: ackbench_arch '$a' is not aarch64, armhf, riscv64 or x86_64" ;; esac
	p=$(hostvar "$h" ansible_port 22)
	{ lib_is_count "$p" && [ "$p" -le 65535 ]; } || die2 "-i $inv: $h: ansible_port '$p' is not 1..65535"
	d=$(hostvar "$h" ackbench_dir ackbench)
	[[ -n $d && $d != *$'\n'* ]] || die2 "-i $inv: $h: ackbench_dir is empty"
done

# the pairs, "CLIENT SERVER" lines
: >"$tmp/pairs"
case $pairs in
all)
	for c in "${all[@]}"; do
		for s in "${all[@]}"; do
			[ "$c" = "$s" ] || echo "$c $s"
		done
	done >"$tmp/pairs"
	;;
star[[:space:]]* | star:*)
	hub=${pairs#star}
	hub=${hub#:}
	hub=${hub#"${hub%%[! ]*}"}
	is_board "$hub" || die2 "plan: pairs: star: '$hub' is not one of the boards (${all[*]})"
	for b in "${all[@]}"; do
		[ "$b" = "$hub" ] || printf '%s %s\n%s %s\n' "$b" "$hub" "$hub" "$b"
	done >"$tmp/pairs"
	;;
*)
	for pr in ${pairs//,/ }; do
		[[ $pr =~ ^([^-]+)-\>(.+)$ ]] || die2 "plan: pairs: '$pr' is not CLIENT->SERVER (or all, star HOST)"
		c=${BASH_REMATCH[1]}
		s=${BASH_REMATCH[2]}
		is_board "$c" || die2 "plan: pairs: '$pr': $c is not one of the boards (${all[*]})"
		is_board "$s" || die2 "plan: pairs: '$pr': $s is not one of the boards (${all[*]})"
		[ "$c" != "$s" ] || die2 "plan: pairs: '$pr': a board with itself"
		echo "$c $s" >>"$tmp/pairs"
	done
	;;
esac
[ -s "$tmp/pairs" ] || die2 "plan: pairs: '$pairs' gives no pair"

# ---- the run directory ----
if [ -z "$resume" ]; then
	[ -n "$dir" ] || dir=$repo/results/fleet-$(lib_utc_stamp)
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ] ||
		die2 "-d: $dir is not empty (--resume it, or name a new directory)"
	mkdir -p "$dir" || die2 "-d: cannot create $dir"
	run=$(cd "$dir" && pwd)
	if [ -d "$inv" ]; then
		cp -r "$inv" "$run/inventory"
		copy=$run/inventory
	else
		ext=${inv##*/}
		case $ext in *.*) ext=.${ext##*.} ;; *) ext="" ;; esac
		cp "$inv" "$run/inventory$ext"
		copy=$run/inventory$ext
	fi
	[ -z "$plan_file" ] || cp "$plan_file" "$run/plan"
	printf 'inventory=%s\ninventory_copy=%s\ncreated=%s\n' "$inv" "$copy" "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" \
		>"$run/fleet.conf"
	{
		echo "# the settings of this fleet run, as used (scripts/fleet.sh --resume reads them)"
		for k in boards protocols modes stacks sizes count rounds port client_timeout server_idle \
			ready_timeout min_disk_kb min_mem_kb seed; do
			printf '%s: %s\n' "$k" "${!k}"
		done
		printf 'pairs: %s\n' "$(awk '{ printf "%s%s->%s", (NR > 1 ? ", " : ""), $1, $2 }' "$tmp/pairs")"
	} >"$run/plan.resolved"
	# the schedule: round by round, each round's pairs (and stacks) in an order of their own
	for r in $(seq "$rounds"); do
		for st in ${stacks//,/ }; do
			sed "s/\$/ $st/" "$tmp/pairs"
		done | lib_shuffle "$seed" "$r" | sed "s/^/$r /"
	done | tr ' ' '\t' >"$run/schedule.tsv"
fi
echo "fleet: run directory $run" >&2

# ---- certificates naming every address a client dials ----
addr_of() {
	local a
	a=$(hostvar "$1" ackbench_addr "")
	[ -n "$a" ] || a=$(hostvar "$1" ansible_host "$1")
	printf '%s\n' "$a"
}
mapfile -t servers < <(cut -f 3 "$run/schedule.tsv" | sort -u)
names=()
for s in "${servers[@]}"; do
	names+=("$(addr_of "$s")")
done
"$script_dir/gen-certs.sh" -o "$run/certs" "${names[@]}" >"$run/certs.log" 2>&1 ||
	{ echo "fleet: gen-certs.sh failed: $(tail -n 1 "$run/certs.log")" >&2; exit 1; }
epoch() { date -u -d "$(openssl x509 -noout "-$1" -in "$run/certs/server.crt" | sed 's/^[a-zA-Z]*=//')" +%s; }
not_before=$(epoch startdate)
not_after=$(epoch enddate)

# ---- what is left to measure ----
status_of() { sed -n 1p "$run/pairs/$2--$3/$4/r$1/status" 2>/dev/null || true; }
: >"$tmp/todo.tsv"
while IFS=$'\t' read -r r c s st; do
	case $(status_of "$r" "$c" "$s" "$st") in ok*) continue ;; esac
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$c" "$s" "$st" "$(addr_of "$s")" \
		"$(hostvar "$c" ackbench_dir ackbench)" "$(hostvar "$s" ackbench_dir ackbench)" >>"$tmp/todo.tsv"
done <"$run/schedule.tsv"
total=$(wc -l <"$run/schedule.tsv")
left=$(wc -l <"$tmp/todo.tsv")
[ -z "$resume" ] || echo "fleet: resuming: $((total - left)) of $total measurements done, $left to go" >&2

client_args="-p $port -P $protocols -m $modes -r 10 -t $client_timeout${count:+ -n $count}${sizes:+ -S $sizes}"
bind=0.0.0.0
if [ "$left" -gt 0 ]; then
	mapfile -t inplay < <(cut -f 2,3 "$tmp/todo.tsv" | tr '\t' '\n' | sort -u)
	for h in "${inplay[@]}"; do
		mkdir -p "$run/boards/$h"
	done
	while IFS=$'\t' read -r r c s st _; do
		mkdir -p "$run/pairs/$c--$s/$st/r$r"
	done <"$tmp/todo.tsv"
	jq -n -R --rawfile todo "$tmp/todo.tsv" \
		--arg repo "$repo" --arg run "$run" --arg id "$(basename "$run")" \
		--arg boards "$(IFS=,; echo "${inplay[*]}")" --arg stacks "$stacks" \
		--argjson nb "$not_before" --argjson na "$not_after" \
		--argjson disk "$min_disk_kb" --argjson mem "$min_mem_kb" --argjson jobs "$jobs" \
		--argjson idle "$server_idle" --argjson hard "$((client_timeout + 120))" \
		--argjson ready "$ready_timeout" \
		--arg sargs "-b $bind -p $port -P $protocols" --arg cargs "$client_args" \
		'{fleet_repo: $repo, fleet_run: $run, fleet_id: $id, fleet_boards: $boards,
		  fleet_all: ($boards | split(",")), fleet_stacks: $stacks,
		  fleet_not_before: $nb, fleet_not_after: $na, fleet_min_disk_kb: $disk,
		  fleet_min_mem_kb: $mem, fleet_jobs: $jobs, fleet_idle: $idle, fleet_hard: $hard,
		  fleet_ready_secs: $ready, fleet_server_args: $sargs, fleet_client_args: $cargs,
		  fleet_todo: [$todo | split("\n")[] | select(length > 0) | split("\t") |
		    {round: .[0], client: .[1], server: .[2], stack: .[3], addr: .[4], cdir: .[5], sdir: .[6],
		     id: "r\(.[0]) \(.[1])->\(.[2]) \(.[3])", path: "pairs/\(.[1])--\(.[2])/\(.[3])/r\(.[0])",
		     tag: "\(.[1])--\(.[2])-\(.[3])-r\(.[0])"}]}' >"$run/vars.json"

	mkdir -p "$tmp/cp"
	export ANSIBLE_CONFIG=$repo/ansible/ansible.cfg ANSIBLE_LOG_PATH=$run/playbook.log \
		ANSIBLE_SSH_CONTROL_PATH_DIR=$tmp/cp ANSIBLE_RETRY_FILES_ENABLED=False
	[ -t 1 ] || export ANSIBLE_NOCOLOR=1
	echo "fleet: $left measurements on ${#inplay[@]} boards: ansible-playbook ansible/fleet.yml (log: $run/playbook.log)" >&2
	{
		echo "### $(date -u '+%Y-%m-%d %H:%M:%S UTC') ansible-playbook -i $inv -e @$run/vars.json $repo/ansible/fleet.yml"
	} >>"$run/playbook.out"
	setsid ansible-playbook -i "$inv" -e @"$run/vars.json" "$repo/ansible/fleet.yml" \
		</dev/null >>"$run/playbook.out" 2>&1 &
	PLAYBOOK_PID=$!
	if [ "$quiet" = 0 ]; then
		tail -n 0 -f --pid="$PLAYBOOK_PID" "$run/playbook.out" &
	fi
	prc=0
	wait "$PLAYBOOK_PID" || prc=$?
	PLAYBOOK_PID=""
	wait 2>/dev/null || true
	echo "fleet: ansible-playbook exit $prc" >&2
fi

# ---- summary: the boards, the measurements, the report ----
{
	echo "# fleet run $run, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "# boards"
	mapfile -t out < <(cat "$run/out.txt" 2>/dev/null || true)
	for h in "${all[@]}"; do
		why=$(grep -E "^fatal: \[$h\]: (FAILED|UNREACHABLE)! => " "$run/playbook.out" 2>/dev/null | tail -n 1 |
			sed 's/^[^>]*=> //' | jq -r '.msg // empty' 2>/dev/null | head -n 1 || true)
		v=$(sed -n 's/^version=//p' "$run/boards/$h/deploy.txt" 2>/dev/null | head -n 1 || true)
		a=$(sed -n 's/^arch_used=//p' "$run/boards/$h/check.txt" 2>/dev/null | head -n 1 || true)
		if [[ " ${out[*]-} " == *" $h "* ]]; then
			echo "FAILED board $h: stopped answering during the run${why:+: $why}"
		elif [ -n "$why" ]; then
			echo "FAILED board $h: ${why#"$h: "}"
		elif [ -n "$v" ]; then
			echo "ok board $h: ${a:-?}, $v"
		else
			echo "-- board $h: not needed by what was left"
		fi
	done
	echo "# measurements"
	nok=0
	while IFS=$'\t' read -r r c s st; do
		stt=$(status_of "$r" "$c" "$s" "$st")
		case $stt in ok*) nok=$((nok + 1)) ;; *) echo "FAILED r$r $c->$s $st: ${stt:-not reached}" ;; esac
	done <"$run/schedule.tsv"
	echo "$nok of $total measurements ok"
} >"$run/summary.txt"
grep -v '^#' "$run/summary.txt" >&2
# the report, on the analysis layer (python3 -m ackbench fleet; docs/design.md)
if ! lib_has_analysis; then
	echo "fleet: no report: Python 3 not found (scripts/deps.sh analysis; then: PYTHONPATH=scripts /usr/bin/python3 -m ackbench fleet $run)" >&2
elif (lib_analysis fleet -o "$run/report" "$run") >"$run/report.log" 2>&1; then
	echo "fleet: report: $run/report/index.html (and report.txt)" >&2
else
	echo "fleet: report failed: $(tail -n 1 "$run/report.log")" >&2
fi
grep -q "^$total of $total measurements ok$" "$run/summary.txt"
