#!/bin/bash
# Runs inside the cgroup v2 VM (systemd unit ascent-tests.service, Delegate=yes, started by
# guest-boot.sh once the shares are mounted): records what the kernel offers, runs the
# sandbox tests and writes everything to the results folder.
set -u
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^ascent\.$1=//p"; }
repo=$(arg repo)
out=/mnt/ascent-out
{
    echo "kernel: $(uname -r)"
    echo "cgroup fs: $(stat -fc %T /sys/fs/cgroup)"
    echo "controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
    echo "own cgroup: $(cat /proc/self/cgroup)"
    echo "delegated: $(cat /sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)/cgroup.controllers)"
} >"$out/env.txt" 2>&1
# As in a Docker/Kubernetes container on a v2 host: the cgroup mount starts read-only and
# the service (root, CAP_SYS_ADMIN) must remount it read-write itself.
if [[ $(arg cgroup_ro) == 1 ]]; then
    mount -o remount,ro /sys/fs/cgroup && echo "cgroup mount: remounted read-only before the tests" >>"$out/env.txt"
fi
cd "$repo"
start=$(date +%s)
# The checkout is read-only here: no cache, no bytecode; the sandbox's own files go to /tmp.
PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/root TMPDIR=/tmp \
    ASCENT_SANDBOX_START_TIMEOUT=$(arg start_timeout) \
    timeout "$(arg test_timeout)" "$repo/.venv/bin/python" -m pytest -p no:cacheprovider -v -rs --durations=5 -o timeout="$(arg start_timeout)" \
    $(arg tests | tr ',' ' ') >"$out/pytest.txt" 2>&1
echo $? >"$out/rc"
echo "seconds: $(( $(date +%s) - start ))" >>"$out/env.txt"
echo "cgroup mount after: $(grep ' /sys/fs/cgroup ' /proc/mounts)" >>"$out/env.txt"
sync
