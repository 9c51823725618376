#!/bin/bash
# Runs inside the cgroup v2 VM (systemd unit ascent-tests.service, Delegate=yes): mounts the
# host's interpreter, the checkout and the results folder over 9p, records what the kernel
# offers, runs the sandbox tests and writes everything to the results folder.
set -u
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^ascent\.$1=//p"; }
repo=$(arg repo)
pyenv=$(arg pyenv)
out=/mnt/ascent-out
mkdir -p "$repo" "$pyenv" "$out"
opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$opts,cache=loose,ro" pyenv "$pyenv"
mount -t 9p -o "$opts,cache=loose,ro" repo "$repo"
mount -t 9p -o "$opts" out "$out"
{
    echo "kernel: $(uname -r)"
    echo "cgroup fs: $(stat -fc %T /sys/fs/cgroup)"
    echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
    echo "own cgroup: $(cat /proc/self/cgroup)"
    echo "delegated: $(cat /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/cgroup.controllers)"
} >"$out/env.txt" 2>&1
cd "$repo"
start=$(date +%s)
# The checkout is read-only here: no cache, no bytecode; the sandbox's own files go to /tmp.
PYTHONDONTWRITEBYTECODE=1 HOME=/root TMPDIR=/tmp \
    timeout 1500 "$repo/.venv/bin/python" -m pytest -p no:cacheprovider -q -rs \
    $(arg tests | tr ',' ' ') >"$out/pytest.txt" 2>&1
echo $? >"$out/rc"
echo "seconds: $(( $(date +%s) - start ))" >>"$out/env.txt"
sync
