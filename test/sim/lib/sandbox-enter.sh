#!/bin/sh
# Runs as the mapped root inside a fresh user + mount + pid namespace (started by
# `unshare --user --map-root-user --mount --pid --fork`). Mounts the host's toolchain into a
# simulated sandbox root and chroots into it, so /sandbox and /tmp are the sandbox's own real
# directories while /usr, /etc, /dev come from the host (read-only where the kernel allows).
#
# Usage: sandbox-enter.sh <root> <stage-dir> <foreign-owned paths, ':'-separated> <command...>
set -e
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
root=$1
stage=$2
foreign=$3
shift 3

# The sandbox's own /usr/local/lib (NemoClaw preloads) would be hidden by the host /usr bind;
# keep a handle on it and put it back on top afterwards.
mount --bind "$root/usr/local/lib" "$stage"
mount --rbind /usr "$root/usr"
mount -o remount,bind,ro "$root/usr" 2>/dev/null || true
if [ -d /usr/local/lib ]; then
  mount --bind "$stage" "$root/usr/local/lib"
fi

# Merged-/usr systems have /bin, /lib* as symlinks (recreated in the root); otherwise bind them.
for dir in bin sbin lib lib32 lib64 libx32; do
  if [ -d "/$dir" ] && [ ! -L "/$dir" ]; then
    mkdir -p "$root/$dir"
    mount --rbind "/$dir" "$root/$dir"
  fi
done

mount --rbind /etc "$root/etc"
mount -o remount,bind,ro "$root/etc" 2>/dev/null || true
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"

# Without privileges the simulator cannot give a file a foreign owner; a root-owned, read-only
# kernel file mounted over the path shows the same owner (nobody) and mode (0444) from inside.
if [ -n "$foreign" ]; then
  old_ifs=$IFS
  IFS=:
  for path in $foreign; do
    [ -e "$root$path" ] && mount --bind /proc/sys/kernel/ostype "$root$path"
  done
  IFS=$old_ifs
fi

exec chroot "$root" "$@"
