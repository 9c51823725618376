#!/usr/bin/env bash
# Build (once, cached) a Debian bookworm VM whose systemd mounts cgroup v2 only (unified),
# to run the sandbox tests on a real cgroup v2 kernel: tests/hosts/cgroup2/run.sh boots it.
#
# Needs root and Debian's debootstrap, qemu-system-x86 and e2fsprogs (`apt-get install -y
# debootstrap qemu-system-x86`). The image lives in $ASCENT_VM_CACHE (default
# .cache/cgroup2-vm in the checkout, gitignored); nothing of it goes into git.
# The VM runs the host's own interpreter and the checkout's .venv, shared read-only over 9p
# at the same paths, so it only needs the C libraries that interpreter links against.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
cache=${ASCENT_VM_CACHE:-$repo/.cache/cgroup2-vm}
mirror=${ASCENT_VM_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
image=$cache/rootfs.img

if [[ -s $image && -s $cache/vmlinuz && -s $cache/initrd.img ]]; then
    echo "cgroup2 VM: cached image $image"
    exit 0
fi
[[ $(id -u) == 0 ]] || { echo "build.sh must run as root (debootstrap)" >&2; exit 1; }
for tool in debootstrap qemu-system-x86_64 mkfs.ext4; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y debootstrap qemu-system-x86 e2fsprogs" >&2; exit 1; }
done

mkdir -p "$cache"
root=$cache/rootfs
rm -rf "$root"
# The interpreter's shared-library dependencies (ldd of python3.11 and lib-dynload) + what
# the boot needs. No network, no ssh: the VM talks over its serial console and 9p only.
pkgs=linux-image-amd64,systemd-sysv,udev,kmod,e2fsprogs
pkgs+=,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,zlib1g,libreadline8,libncursesw6
pkgs+=,libuuid1,libexpat1,libgssapi-krb5-2,libtirpc3,libnsl2,libcrypt1,libgomp1
debootstrap --variant=minbase --include="$pkgs" bookworm "$root" "$mirror"

cp -L "$root/vmlinuz" "$cache/vmlinuz"
cp -L "$root/initrd.img" "$cache/initrd.img"
echo ascent-cgroup2 >"$root/etc/hostname"
chroot "$root" passwd -d root >/dev/null
# Shares are mounted at the host's own paths so the venv's absolute paths resolve.
cat >"$root/etc/fstab" <<'FSTAB'
/dev/vda / ext4 rw,errors=remount-ro 0 1
FSTAB
printf '9p\n9pnet\n9pnet_virtio\n' >"$root/etc/modules-load.d/9p.conf"
install -m 0755 "$repo/tests/hosts/cgroup2/guest-boot.sh" "$root/usr/local/bin/ascent-guest-boot"
# Delegate=yes: systemd hands the unit its cgroup subtree (memory, pids enabled), exactly
# what a deployment of the execution service as a systemd unit gets.
cat >"$root/etc/systemd/system/ascent-tests.service" <<'UNIT'
[Unit]
Description=Ascent sandbox tests on cgroup v2
After=local-fs.target
[Service]
Type=oneshot
Delegate=yes
StandardOutput=journal+console
StandardError=journal+console
ExecStart=/usr/local/bin/ascent-guest-boot
ExecStopPost=/usr/bin/systemctl --no-block poweroff
[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable ascent-tests.service >/dev/null 2>&1 \
    || ln -sf /etc/systemd/system/ascent-tests.service "$root/etc/systemd/system/multi-user.target.wants/ascent-tests.service"
# No gettys and nothing else waiting on a terminal.
chroot "$root" systemctl mask getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1 || true

rm -f "$image.tmp"
mkfs.ext4 -q -L ascent -d "$root" "$image.tmp" 3G
mv "$image.tmp" "$image"
rm -rf "$root"
echo "cgroup2 VM: built $image"
