#!/bin/bash
# Baked into the VM image (build.sh): mounts the host's interpreter, the checkout and the
# results folder over 9p at the host's own paths, then runs the checkout's guest-run.sh, so
# changing what runs needs no rebuild.
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^ascent\.$1=//p"; }
repo=$(arg repo)
pyenv=$(arg pyenv)
mkdir -p "$repo" "$pyenv" /mnt/ascent-out
opts=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$opts,cache=loose,ro" pyenv "$pyenv"
mount -t 9p -o "$opts,cache=loose,ro" repo "$repo"
mount -t 9p -o "$opts" out /mnt/ascent-out
exec bash "$repo/tests/hosts/cgroup2/guest-run.sh"
