#!/usr/bin/env bash
# ipvs-vm.sh: runs a command as root in a throwaway qemu guest whose kernel has IPVS, for hosts
# whose own kernel has none (this project's machines). Adapted from ../shared/tools/ipvs-vm.
#
#   test/vm/ipvs-vm.sh 'ipvsadm -Ln'   # streams the command's output; exits with its code
#   test/vm/ipvs-vm.sh --check         # checks the tools and fetches the kernel; boots nothing
#
# The guest runs a stock Debian kernel under software emulation (TCG: nested KVM hangs at boot
# on these machines) and has no network device. It sees the host's root read-only (so node,
# ipvsadm and iproute2 are the host's), the current directory read-write at the same path, and
# private tmpfs on /tmp and /run. ip_vs with all its schedulers, veth and bridge are loaded, lo is
# up, and the kernel loads any other module on demand.
#
# Exit codes: the command's; 2 when something this host needs is missing; 3 when the guest
# failed or timed out (the end of its console is printed).
# Env: IPVS_VM_CACHE (/var/tmp/vigil-ipvs-vm), IPVS_VM_MEM (MiB, 1024), IPVS_VM_TIMEOUT (s, 600).
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
cache=${IPVS_VM_CACHE:-/var/tmp/vigil-ipvs-vm}
mem=${IPVS_VM_MEM:-1024}
limit=${IPVS_VM_TIMEOUT:-600}
modules="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh veth bridge"

# 1. what this host needs
missing() { echo "ipvs-vm: $1" >&2; exit 2; }
[ "${1:-}" ] || { echo "usage: $0 --check | 'COMMAND'" >&2; exit 2; }
[ "$(id -u)" = 0 ] || missing "needs root (the guest's root user reads the host's files through 9p)"
for tool in qemu-system-x86_64:qemu-system-x86 cpio:cpio depmod:kmod modprobe:kmod ipvsadm:ipvsadm; do
  command -v "${tool%%:*}" >/dev/null || missing "no ${tool%%:*} (apt-get install ${tool#*:})"
done
# The initramfs has no libc: its busybox must be the static one.
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
  missing "no static /bin/busybox (apt-get install busybox-static)"

# 2. a stock Debian kernel with its modules, downloaded once: the newest linux-image-*-amd64
newest() { apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -1; }
if ! ls "$cache"/kernel/boot/vmlinuz-* >/dev/null 2>&1; then
  pkg=$(newest)
  [ -n "$pkg" ] || { apt-get update -qq && pkg=$(newest); }
  [ -n "$pkg" ] || missing "apt finds no linux-image-*-amd64 package"
  mkdir -p "$cache"; rm -rf "$cache"/download; mkdir "$cache"/download
  (cd "$cache"/download && apt-get download -qq -o APT::Sandbox::User=root "$pkg") ||
    (apt-get update -qq && cd "$cache"/download && apt-get download -qq -o APT::Sandbox::User=root "$pkg") || missing "cannot download $pkg"
  dpkg -x "$cache"/download/*.deb "$cache"/download/kernel
  depmod -b "$cache"/download/kernel "$(ls "$cache"/download/kernel/lib/modules)"
  mv "$cache"/download/kernel "$cache"/kernel   # only a complete kernel counts as cached
  rm -rf "$cache"/download
fi
[ "$1" = --check ] && exit 0
kver=$(ls "$cache"/kernel/lib/modules)

# 3. the job directory, shared with the guest: the initramfs, the command and its exit code
job=$(mktemp -d); trap 'rm -rf "$job"' EXIT
pwd > "$job/cwd"; printf '%s\n' "$1" > "$job/cmd"

# 4. the initramfs: static busybox, the modules that mount 9p, and an init that chroots into the
# host's root. The kernel's module loader (/sbin/modprobe, run from the initramfs' root) is a shim
# that runs the host's modprobe on the cached kernel's modules.
root="$job/initramfs"; mkdir -p "$root"/{bin,sbin,mods,proc,sys,dev,mnt}
cp /bin/busybox "$root/bin/"
i=0
for f in $(modprobe -d "$cache/kernel" -S "$kver" --show-depends -a virtio_pci 9pnet_virtio 9p |
           awk '$1 == "insmod" && !seen[$2]++ {print $2}'); do
  i=$((i + 1)); out="$root/mods/$(printf %02d $i).ko"
  case "$f" in *.xz) xz -dc "$f" >"$out" ;; *.zst) zstd -qdc "$f" >"$out" ;; *) cp "$f" "$out" ;; esac
done
printf '#!/bin/busybox sh\nexec /bin/busybox chroot /mnt /sbin/modprobe -d %q "$@"\n' "$cache/kernel" > "$root/sbin/modprobe"
cat > "$root/init" <<INIT
#!/bin/busybox sh
b=/bin/busybox; export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
\$b mount -t proc proc /proc; \$b mount -t sysfs sys /sys; \$b mount -t devtmpfs dev /dev
for m in /mods/*.ko; do \$b insmod "\$m"; done
p9="-t 9p -o trans=virtio,version=9p2000.L,msize=262144"
\$b mount \$p9,ro,cache=loose host /mnt
\$b mount -t proc proc /mnt/proc; \$b mount -t sysfs sys /mnt/sys; \$b mount -t devtmpfs dev /mnt/dev
\$b mount -t tmpfs tmp /mnt/tmp; \$b mount -t tmpfs run /mnt/run; \$b mkdir /mnt/tmp/.job /mnt/run/netns
\$b mount \$p9 job /mnt/tmp/.job
work=\$(\$b cat /mnt/tmp/.job/cwd); \$b mkdir -p "/mnt\$work"; \$b mount \$p9 work "/mnt\$work"
/sbin/modprobe -a $modules
\$b chroot /mnt ip link set lo up
# The command's output goes to the second serial port, which the host streams to its stdout.
\$b stty -F /dev/ttyS1 raw -echo
\$b env -i PATH="\$PATH" HOME=/root LANG=C.UTF-8 VIGIL_IPVS_VM=1 \
  \$b chroot /mnt /bin/sh -c 'cd "\$1" && exec /bin/sh /tmp/.job/cmd' - "\$work" >/dev/ttyS1 2>&1
echo \$? > /mnt/tmp/.job/rc
\$b sync; \$b poweroff -f
INIT
chmod +x "$root/init" "$root/sbin/modprobe"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 > "$job/initrd")

# 5. boot; the kernel's console goes to a file, shown only when the guest fails
timeout "$limit" qemu-system-x86_64 -nodefaults -display none -no-reboot \
  -accel tcg,thread=multi -cpu max -smp 2 -m "$mem" \
  -kernel "$cache/kernel/boot/vmlinuz-$kver" -initrd "$job/initrd" -append "console=ttyS0 panic=-1 quiet" \
  -serial "file:$job/console" -chardev stdio,id=out,signal=off -serial chardev:out \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$job",mount_tag=job,security_model=none \
  -virtfs local,path="$(pwd)",mount_tag=work,security_model=none </dev/null ||
  { echo "ipvs-vm: the guest failed or passed ${limit}s (IPVS_VM_TIMEOUT); its console ends:" >&2; tail -20 "$job/console" >&2; exit 3; }
[ -s "$job/rc" ] || { echo "ipvs-vm: the command did not run; the guest's console ends:" >&2; tail -20 "$job/console" >&2; exit 3; }
exit "$(cat "$job/rc")"
