#!/usr/bin/env bash
# Boot the cgroup v2 VM (built by build.sh) with KVM and run the sandbox tests in it.
# Usage: tests/hosts/cgroup2/run.sh [test paths...]   (default: every sandbox test file)
# ASCENT_VM_SOURCE=DIR shares another checkout (with a .venv) at this checkout's path, e.g.
# an older commit to show what failed before.
# Prints the guest's kernel/cgroup facts and pytest's summary; exits with pytest's status.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
cache=${ASCENT_VM_CACHE:-$repo/.cache/cgroup2-vm}
"$repo/tests/hosts/cgroup2/build.sh"
[[ -r /dev/kvm ]] || { echo "no /dev/kvm: the cgroup v2 VM needs KVM" >&2; exit 1; }
[[ -x $repo/.venv/bin/python ]] || { echo "no .venv: run make install first" >&2; exit 1; }

# The venv's interpreter is a symlink into the host's Python installation: share that prefix.
pybin=$(readlink -f "$repo/.venv/bin/python")
pyprefix=$("$pybin" -c 'import sys; print(sys.base_prefix)')
if [[ $# -gt 0 ]]; then tests=$(IFS=,; echo "$*"); else
    tests=$(cd "$repo" && ls tests/execution/test_sandbox_*.py | paste -sd,)
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/ascent-cgroup2-out.XXXXXX")
log=$out/console.log
started=$(date +%s)
share() { echo "local,path=$1,mount_tag=$2,security_model=none$3"; }
# ASCENT_VM_ACCEL=tcg: software emulation, for hosts whose /dev/kvm cannot boot a stock kernel.
accel=${ASCENT_VM_ACCEL:-kvm}
if [[ $accel == kvm ]]; then cpu=(-enable-kvm -cpu "${ASCENT_VM_CPU_MODEL:-host,-arch-capabilities}")
else cpu=(-accel tcg,thread=multi -cpu "${ASCENT_VM_CPU_MODEL:-max}"); fi
timeout "${ASCENT_VM_TIMEOUT:-1800}" qemu-system-x86_64 "${cpu[@]}" -smp "${ASCENT_VM_CPUS:-2}" \
    -m "${ASCENT_VM_MEMORY:-4096}" -nographic -no-reboot -nic none \
    -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
    -drive "file=$cache/rootfs.img,format=raw,if=virtio,snapshot=on" \
    -virtfs "$(share "$pyprefix" pyenv ,readonly=on)" \
    -virtfs "$(share "${ASCENT_VM_SOURCE:-$repo}" repo ,readonly=on)" \
    -virtfs "$(share "$out" out "")" \
    -append "root=/dev/vda rw console=ttyS0 ascent.repo=$repo ascent.pyenv=$pyprefix ascent.tests=$tests ascent.start_timeout=${ASCENT_SANDBOX_START_TIMEOUT:-180} ascent.test_timeout=${ASCENT_VM_TEST_TIMEOUT:-1500} ascent.cgroup_ro=${ASCENT_VM_CGROUP_RO:-1}" \
    >"$log" 2>&1 </dev/null || true
echo "VM wall time: $(( $(date +%s) - started )) s (boot + tests + poweroff); console: $log"
cat "$out/env.txt" 2>/dev/null || { echo "the VM wrote no results; console tail:"; tail -40 "$log"; exit 1; }
tail -15 "$out/pytest.txt"
exit "$(cat "$out/rc" 2>/dev/null || echo 1)"
