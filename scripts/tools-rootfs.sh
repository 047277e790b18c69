#!/bin/sh
# tools-rootfs.sh DIR [EXTRA_TOOL...]: a small root filesystem made of this host's own tools
# (bash, coreutils, grep, sed, awk, tar, find, ...) and the libraries they load, for an image
# that exists offline:  scripts/tools-rootfs.sh /tmp/root && tar --numeric-owner -C /tmp/root -cf tools.tar . \
#                       && ale image import tools.tar ale.local/tools:1
# The example tasks in tasks/images build FROM that image. Nothing is fetched from any network.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [EXTRA_TOOL...]" >&2; exit 2; }
d=$1
shift
mkdir -p "$d/bin" "$d/tmp" "$d/etc" "$d/root" "$d/usr/local/bin" "$d/var/tmp"
chmod 1777 "$d/tmp" "$d/var/tmp"
for t in bash sh cat mkdir rm rmdir realpath tar find dirname basename ls grep sed awk sort head tail wc cp mv chmod chown \
         id env sleep touch stat tr cut uniq printf echo test true false whoami ln readlink diff cmp date seq xargs tee timeout \
         install mktemp "$@"; do
  p=$(command -v "$t" 2>/dev/null) || continue
  case $p in /*) ;; *) continue ;; esac
  p=$(readlink -f "$p")
  cp -L "$p" "$d/bin/$t"
  ldd "$p" 2>/dev/null | grep -o '/[^ ]*' | while read -r l; do
    mkdir -p "$d$(dirname "$l")"
    [ -e "$d$l" ] || cp -L "$l" "$d$l"
  done
done
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$d/etc/passwd"
printf 'root:x:0:\n' > "$d/etc/group"
printf 'ID=ale-tools\n' > "$d/etc/os-release"
