#!/usr/bin/env bash
# Installs what the tests need on a Debian/Ubuntu machine: the OpenSSH server and client (real
# test hosts, and `ssh -G` to compare ~/.ssh/config resolution with), iproute2 (network namespaces
# for the bastion tests), passwd (one user per test host), ansible-core (`ansible-inventory` and
# `ansible --list-hosts`, which the inventory and pattern tests compare nemoclaw with), zsh, fish,
# tcsh and ksh (the completion scripts are run in the real shells; test hosts' users get them as
# login shells), prometheus (its `promtool` checks the
# metrics files and the example alert rules), chromium (the report page is opened in headless
# Chromium), a C compiler with the C library's headers (the simulator's native client,
# test/sim/lib/client.c), systemd (`systemd-analyze verify` and `calendar` check the units
# `nemoclaw schedule` writes) and util-linux (`flock`, which those units run, and `setpriv`, with
# which the permission tests run as nobody when the tests run as root). Does nothing when
# they are present; needs root otherwise.
set -euo pipefail

missing=()
[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 || missing+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 && command -v ssh-agent >/dev/null 2>&1 || missing+=(openssh-client)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v newusers >/dev/null 2>&1 || missing+=(passwd)
command -v ansible-inventory >/dev/null 2>&1 && command -v ansible >/dev/null 2>&1 || missing+=(ansible-core)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
command -v fish >/dev/null 2>&1 || missing+=(fish)
command -v tcsh >/dev/null 2>&1 || missing+=(tcsh)
command -v ksh >/dev/null 2>&1 || missing+=(ksh)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v cc >/dev/null 2>&1 && [ -e /usr/include/stdio.h ] || missing+=(gcc libc6-dev)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
{ command -v flock && command -v setpriv; } >/dev/null 2>&1 || missing+=(util-linux)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${missing[*]}; install them or run as root (see docs/testing.md)" >&2
  exit 1
fi
# The tests start their own sshd processes; keep the packages from starting system services
# (sshd, prometheus).
policy=/usr/sbin/policy-rc.d
added_policy=no
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  added_policy=yes
fi
trap 'if [ "$added_policy" = yes ]; then rm -f "$policy"; fi' EXIT
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
