#!/usr/bin/env bash
# Run the sandbox tests as a non-root user (rootless mode: unprivileged user namespaces).
# Usage (as root, which only prepares): tests/hosts/rootless/run.sh [--delegate] [tests...]
#   --delegate  give the user its own cgroup subtree (chown'd memory+pids, v1 or v2), as
#               systemd's Delegate=yes or a user@.service slice would, so cgroup limits hold.
# It creates the user `ascent-rootless` (no extra groups), copies the checkout and its
# .venv to the user's home, and runs pytest there with runuser. The interpreter the venv
# links to lives under /root (mode 700): it is bound read-only at the same path inside a
# private mount namespace, so the user reaches it without any host permission changing.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
user=ascent-rootless
delegate=0
if [[ ${1:-} == --delegate ]]; then delegate=1; shift; fi
[[ $(id -u) == 0 ]] || { echo "run.sh prepares as root, then runs the tests as $user" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)
copy=$home/ascent
mkdir -p "$copy"
rsync -a --delete --exclude .cache --exclude web/node_modules --exclude .git \
    --exclude .mypy_cache --exclude .ruff_cache --exclude .pytest_cache "$repo/" "$copy/"
# The editable install points at the original checkout; the copy's own files win (cwd first).
chown -R "$user:" "$copy"
pyprefix=$("$repo/.venv/bin/python" -c 'import sys; print(sys.base_prefix)')
if [[ $# -gt 0 ]]; then tests=("$@"); else
    mapfile -t tests < <(cd "$repo" && ls tests/execution/test_sandbox_*.py)
fi

cgsetup=""
if [[ $delegate == 1 ]]; then
    if [[ -d /sys/fs/cgroup/memory ]]; then  # v1 (or hybrid): one subtree per controller
        for c in memory pids; do
            mkdir -p "/sys/fs/cgroup/$c/ascent-rootless"
            chown -R "$user:" "/sys/fs/cgroup/$c/ascent-rootless"
            cgsetup+="echo \$\$ > /sys/fs/cgroup/$c/ascent-rootless/cgroup.procs; "
        done
    else
        mkdir -p /sys/fs/cgroup/ascent-rootless
        echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
        chown -R "$user:" /sys/fs/cgroup/ascent-rootless
        cgsetup="echo \$\$ > /sys/fs/cgroup/ascent-rootless/cgroup.procs; "
    fi
fi

start=$(date +%s)
set +e
unshare --mount --propagation private bash -c "
    set -e
    mkdir -p /run/ascent-rootless-py
    mount --bind '$pyprefix' /run/ascent-rootless-py
    mount -t tmpfs -o mode=755 tmpfs /root
    mkdir -p '$pyprefix'
    mount --bind -o ro /run/ascent-rootless-py '$pyprefix'
    $cgsetup
    cd '$copy'
    exec runuser -u '$user' -- env -i PATH=/usr/bin:/bin HOME='$home' LANG=C.UTF-8 \
        ASCENT_SANDBOX_EXPECT_CGROUPS=$delegate \
        PYTHONDONTWRITEBYTECODE=1 .venv/bin/python -m pytest -p no:cacheprovider -q -rs ${tests[*]}
"
rc=$?
echo "rootless run: $(( $(date +%s) - start )) s, pytest exit $rc (user $user, delegate=$delegate)"
exit $rc
