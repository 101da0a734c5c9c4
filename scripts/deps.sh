#!/bin/sh
# deps.sh - install the Debian packages ackbench needs that are missing (idempotent).
set -eu

usage() {
	cat <<USAGE
Usage: $0 [GROUP...]
Installs the missing Debian packages of each group (default: build test analysis link,
what 'make' and 'make test' need: the link shaper is one of the programs 'make' builds).
  build    compiler, make, tools to fetch (apt) and unpack Mbed TLS, openssl, jq
  test     iproute2, nftables, procps (network namespaces, loss injection)
  link     libnetfilter-queue-dev, iptables, ethtool, python3 (scripts/link.sh: the emulated
           link's shaper and namespaces)
  bench    sockperf (the loopback reference), util-linux (taskset)
  openssl  perl, patch, xz-utils: build OpenSSL 3.5 from Debian trixie's source package
           (make STACK=openssl; scripts/fetch-openssl.sh)
  capture  tshark
  fuzz     clang-14 and its libFuzzer runtime (make fuzz, make test)
  report   the same as analysis (report.sh's plots; kept for old command lines)
  analysis python3, python3-matplotlib, python3-pytest, python3-pyflakes (scripts/ackbench:
           tables, plots, reports; run by /usr/bin/python3)
  browser  chromium (test/matrix.sh renders report.html headless)
  ssh      openssh-server, openssh-client
  fleet    ansible-core, openssh-client, jq, openssl, python3-matplotlib (scripts/fleet.sh,
           the controller's side)
  fleet-test  dropbear-bin, busybox, openssh-server (test/fleet.sh's boards)
  wolfssl  autoconf, automake, libtool, patch, xz-utils: build wolfSSL 5.9 from
           Debian's source package (make STACK=wolfssl; scripts/fetch-wolfssl.sh)
  cross    gcc-{aarch64,arm,riscv64}-linux-gnu cross compilers + libc, qemu-user
  cross-aarch64  the aarch64 part of cross only (what make test's cross coverage needs)
  mcu      bare-metal Cortex-M: gcc-arm-none-eabi, newlib, qemu-system-arm, ccache (the
           compile cache of scripts/mcu-explore.sh's points)
  all      every group
Runs apt-get as root (through sudo when not root), non-interactively.
USAGE
}

pkgs_of() {
	case "$1" in
	build) echo "gcc make libc6-dev tar bzip2 xz-utils ca-certificates curl openssl jq" ;;
	test) echo "iproute2 nftables procps" ;;
	link) echo "libnetfilter-queue-dev iptables ethtool iproute2 python3" ;;
	bench) echo "sockperf util-linux" ;;
	openssl) echo "perl patch xz-utils openssl" ;;
	capture) echo "tshark" ;;
	fuzz) echo "clang-14 libclang-rt-14-dev" ;;
	report | analysis) echo "python3 python3-matplotlib python3-pytest python3-pyflakes" ;;
	browser) echo "chromium" ;;
	ssh) echo "openssh-server openssh-client" ;;
	fleet) echo "ansible-core openssh-client jq openssl python3 python3-matplotlib" ;;
	fleet-test) echo "dropbear-bin busybox openssh-server iproute2" ;;
	wolfssl) echo "autoconf automake libtool patch xz-utils" ;;
	cross-aarch64) echo "gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user" ;;
	cross) echo "gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-riscv64-linux-gnu libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-riscv64-cross qemu-user" ;;
	mcu) echo "gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm ccache" ;;
	*) return 1 ;;
	esac
}

case "${1:-}" in -h | --help) usage; exit 0 ;; esac
[ $# -gt 0 ] || set -- build test analysis link
[ "$1" = all ] && set -- build test link bench capture analysis browser ssh cross fuzz openssl wolfssl mcu fleet fleet-test

want=""
for g in "$@"; do
	p=$(pkgs_of "$g") || { echo "deps: unknown group '$g' (see --help)" >&2; exit 2; }
	want="$want $p"
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086  # word splitting of the package list is intended
if ! $SUDO apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null ||
	! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends \
		$missing >/dev/null; then
	echo "deps: apt-get install failed for:$missing" >&2
	exit 1
fi
