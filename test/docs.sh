#!/bin/bash
# docs.sh - the documentation against the tree and the programs:
#  - every relative link of every Markdown file of the tree resolves: its file, and for
#    #anchor a heading of that file under GitHub's anchor rules (test/docs_check.py);
#  - the options each program accepts (its --help) are exactly those docs/programs.md
#    documents for it, and those of its manual page from `make install` (scripts/install.sh);
#    the same for the tls/dtls programs of every other stack built;
#  - every build command marked <!-- build-commands --> in README.md and docs/*.md: `make`
#    with VAR=value words only, its default goal is `all`, it builds the eight programs (a
#    bare-metal TARGET: the image) in the build directory its comment names, and it is run
#    as written where make test builds it anyway (native and aarch64, every stack, the full
#    config); every stack and every target is among them;
#  - the checker itself finds a broken link, a broken anchor and an option table that
#    differs from --help (so that a pass above means something).
#   test/docs.sh BIN_DIR   (build/native/bin, or build/native-san/bin: the same options)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "the documentation against --help"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-/usr/bin/python3}
DC=$ROOT/test/docs_check.py
PROGS=(tcp_client tcp_server udp_client udp_server tls_client tls_server dtls_client dtls_server)

# --- links -------------------------------------------------------------------------------
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t mds < <(git -C "$ROOT" ls-files --cached --others --exclude-standard '*.md' |
		sort -u)
else
	mapfile -t mds < <(cd "$ROOT" && find . -name '*.md' -not -path './build/*' \
		-not -path './results/*' | sed 's|^\./||' | sort)
fi
check "links: Markdown files found (README.md, docs/)" \
	test "$(printf '%s\n' "${mds[@]}" | grep -c -e '^README\.md$' -e '^docs/')" -ge 10
for f in "${mds[@]}"; do
	[ -f "$ROOT/$f" ] || continue # deleted in the work tree
	rc=0
	"$PY" "$DC" links "$ROOT" "$f" >"$TMP/links" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$TMP/links" ]; then
		ok "links: $f: every relative link resolves"
	else
		not_ok "links: $f: every relative link resolves" "$(cat "$TMP/links")"
	fi
done

# --- options -----------------------------------------------------------------------------
# help_sigs: the option signatures ("-a, --addr HOST", "--keep") of a --help text or of a
# manual page made from one, on stdin, sorted.
help_sigs() {
	sed -nE 's/^ +((-[[:alnum:]], )?--[[:alnum:]-]+( [^ ]+)?)( {2,}.*)?$/\1/p' | sort
}
# options_diff GOT WANT: GOT and WANT (sorted signature lists) as two lines, empty when
# they are the same.
options_diff() {
	local extra missing
	extra=$(comm -23 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed '/^$/d' | xargs)
	missing=$(comm -13 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed '/^$/d' | xargs)
	[ -z "$extra" ] || echo "accepted, not in docs/programs.md: $extra"
	[ -z "$missing" ] || echo "in docs/programs.md, not accepted: $missing"
}
# same_options WHAT GOT WANT
same_options() {
	local d
	d=$(options_diff "$2" "$3")
	if [ -z "$d" ]; then ok "$1"; else not_ok "$1" "$d"; fi
}

rc=0
"$PY" "$DC" options "$ROOT/docs/programs.md" >"$TMP/documented" 2>"$TMP/documented.err" || rc=$?
check_rc "options: docs/programs.md's option tables read" "$rc" 0 "$TMP/documented.err"
# docs_of PROG: PROG's documented signatures, sorted.
docs_of() { awk -F'\t' -v p="$1" '$1 == p { print $2 }' "$TMP/documented" | sort; }

STAGE=$TMP/stage
rc=0
"$ROOT/scripts/install.sh" -B "$BIN" -p /usr/local -d "$STAGE" >"$TMP/install.out" 2>&1 || rc=$?
check_rc "options: make install's script makes the manual pages" "$rc" 0 "$TMP/install.out"
for p in "${PROGS[@]}"; do
	want=$(docs_of "$p")
	check "options: $p: docs/programs.md documents some" test -n "$want"
	same_options "options: $p --help = docs/programs.md" "$("$BIN/$p" --help | help_sigs)" "$want"
	man=$STAGE/usr/local/share/man/man1/$p.1
	if [ -f "$man" ]; then
		same_options "options: $p manual page = docs/programs.md" "$(help_sigs <"$man")" "$want"
	else
		not_ok "options: $p manual page = docs/programs.md" "no $man"
	fi
done
# --- build commands ----------------------------------------------------------------------
rc=0
(cd "$ROOT" && "$PY" "$DC" builds README.md docs/*.md) >"$TMP/builds" 2>"$TMP/builds.err" ||
	rc=$?
check_rc "builds: the marked build commands read" "$rc" 0 "$TMP/builds.err"
check "builds: README.md has marked build commands" grep -q '^README\.md:' "$TMP/builds"
# Every stack and every target is in a documented command.
for s in $(make_var print-STACKS); do
	if [ "$s" = mbedtls ]; then re=$'\tmake( [A-Z]+=[^ ]+)*\t'; else re="STACK=$s( |"$'\t'")"; fi
	check_grep "builds: STACK=$s has a documented build command" "$TMP/builds" "$re"
done
for t in "$ROOT"/ports/targets/*.mk; do
	t=$(basename "$t" .mk)
	[ "$t" != native ] || continue
	check_grep "builds: TARGET=$t has a documented build command" "$TMP/builds" \
		"TARGET=$t( |"$'\t'")"
done

mk=(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SAN -u STATIC -u CONFIG -u TARGET -u STACK
	make --no-print-directory -C "$ROOT")
declare -A ran=()
while IFS=$'\t' read -r where cmd note; do
	read -r -a words <<<"$cmd"
	vars=("${words[@]:1}")
	bad=$(printf '%s\n' "${vars[@]}" | grep -Ev '^[A-Z_]+=[^ ]+$' || true)
	if [ "${words[0]}" != make ] || [ -n "$bad" ]; then
		not_ok "builds: $where: '$cmd' is make with VAR=value words only"
		continue
	fi
	target=native
	for v in "${vars[@]}"; do
		case "$v" in TARGET=*) target=${v#*=} ;; esac
	done
	{
		read -r goal
		read -r build
		read -r -a bins
	} < <(make_var "${vars[@]}" print-.DEFAULT_GOAL print-BUILD print-BINS)
	check_eq "builds: $where: '$cmd': default goal is all" "$goal" all
	case "$target" in
	cortex-*)
		check_eq "builds: $where: '$cmd': builds the bare-metal image" \
			"${bins[*]}" "$build/mcu/ackbench-mcu.elf"
		;;
	*)
		check_eq "builds: $where: '$cmd': builds the eight programs in $build/bin" \
			"$(printf '%s\n' "${bins[@]}" | sort | xargs)" \
			"$(printf "$build/bin/%s\n" "${PROGS[@]}" | sort | xargs)"
		;;
	esac
	# The comment's build/... path, when it names one, is its output or the folder of it.
	named=$(grep -oE 'build/[^ ,;)]+' <<<"$note" | head -n 1 || true)
	if [ -n "$named" ]; then
		case "${bins[0]}" in
		"${named%/}" | "${named%/}"/*) ok "builds: $where: '$cmd': '$named' is its output" ;;
		*) not_ok "builds: $where: '$cmd': '$named' is its output" "it is ${bins[0]}" ;;
		esac
	fi
	# Run as written what make test builds anyway (every stack, native and aarch64, the full
	# config, no variant), once each: there it only checks that nothing is left to do.
	others=$(printf '%s\n' "${vars[@]}" | grep -Ev '^(STACK=.*|TARGET=(native|aarch64))$' || true)
	if [ -n "$others" ]; then
		echo "skip - builds: $where: '$cmd' not run: make test does not build it (minutes" \
			"here); its default goal and programs are checked above"
		continue
	fi
	if [ -n "${ran[$cmd]:-}" ]; then
		continue
	fi
	if [ "${ACKBENCH_PASS:-}" = san ]; then
		echo "skip - builds: $where: '$cmd' not run again in the sanitizer pass (the first ran it)"
		continue
	fi
	ran[$cmd]=1
	rc=0
	timeout -k 10 1800 "${mk[@]}" -s "${vars[@]}" >"$TMP/build.out" 2>&1 || rc=$?
	check_rc "builds: $where: '$cmd' as written: exit 0" "$rc" 0 "$TMP/build.out"
	missing=()
	for b in "${bins[@]}"; do [ -x "$ROOT/$b" ] || missing+=("$b"); done
	check_eq "builds: $where: '$cmd' as written: every program built" "${missing[*]}" ""
done <"$TMP/builds"

# The tls/dtls programs of the other stacks (make test builds them, and so did the documented commands above): the same options.
for s in $(make_var print-STACKS); do
	[ "$s" != mbedtls ] || continue
	sb=$(stack_bin "$s")
	if [ ! -x "$sb/tls_client" ]; then
		echo "skip - options: STACK=$s: not built ($sb; make STACK=$s)"
		continue
	fi
	for p in tls_client tls_server dtls_client dtls_server; do
		same_options "options: $p (STACK=$s) --help = docs/programs.md" \
			"$("$sb/$p" --help | help_sigs)" "$(docs_of "$p")"
	done
done

# --- the checker can fail ----------------------------------------------------------------
F=$TMP/fixture
mkdir -p "$F/docs"
cat >"$F/a.md" <<'EOF'
# A

## Two words: `x`

[ok](#two-words-x) [ok2](docs/b.md#b-b) [gone](docs/none.md)
[anchor](docs/b.md#nope) `[code](no.md)`
EOF
printf '# B b\n' >"$F/docs/b.md"
"$PY" "$DC" links "$F" a.md docs/b.md >"$TMP/fix.links" 2>&1 || true
check_grep "checker: finds a link to a missing file" "$TMP/fix.links" \
	'^a\.md:5: docs/none\.md: no such file'
check_grep "checker: finds a link to a missing heading" "$TMP/fix.links" \
	'^a\.md:6: docs/b\.md#nope: no heading'
check_eq "checker: and nothing else (anchors made as GitHub makes them; code holds no link)" \
	"$(wc -l <"$TMP/fix.links")" 2
# docs/programs.md with one option row of tcp_client's table dropped, and one added.
awk '!/^\| `--owd` \|/' "$ROOT/docs/programs.md" |
	sed "s/^| \`--keep\` |/| \`--kept\` | x | y |\n&/" >"$F/programs.md"
"$PY" "$DC" options "$F/programs.md" >"$TMP/fix.opts" 2>&1 || true
got=$(awk -F'\t' '$1 == "tcp_client" { print $2 }' "$TMP/fix.opts" | sort)
options_diff "$("$BIN/tcp_client" --help | help_sigs)" "$got" >"$TMP/fix.same"
check_grep "checker: an undocumented option is named" "$TMP/fix.same" \
	'accepted, not in docs/programs.md: --owd$'
check_grep "checker: a documented option no program accepts is named" "$TMP/fix.same" \
	'in docs/programs.md, not accepted: --kept$'
summary
