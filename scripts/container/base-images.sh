# Sourced by scripts/container-test: base images made locally, for machines
# that cannot pull the Dockerfile's upstream ones. Made once and cached by tag
# in the engine's data-root (bump BASE_REV when the recipe changes):
#
#   $DEBIAN_BASE   Debian minbase + gcc, libc6-dev, make, CA certificates
#                  (this machine's own CAs too: the build downloads crates)
#   $RUST_BASE     $DEBIAN_BASE + this machine's Rust toolchain in /usr/local
#                  (stands in for rust:1.95-bookworm)
#   $RUNTIME_BASE  glibc, libgcc_s, CA certificates, tzdata, /etc/passwd with
#                  uid/gid 10001 and a world-writable /tmp: nothing else, no
#                  shell (stands in for distroless/cc-debian12)
#
# Debian comes from the mirror apt already uses (debootstrap, variant minbase).

BASE_REV=1

# debian_mirror: the first Debian mirror URI apt uses.
debian_mirror() {
  local uri=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
      /etc/apt/sources.list)
  fi
  printf '%s' "$uri"
}

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

make_base_images() {
  local suite rust_version
  suite=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")
  rust_version=$(rustc --version | awk '{print $2}')
  DEBIAN_BASE="stock-backtest-base/debian:$suite-r$BASE_REV"
  RUST_BASE="stock-backtest-base/rust:$rust_version-$suite-r$BASE_REV"
  RUNTIME_BASE="stock-backtest-base/runtime:$suite-r$BASE_REV"
  if image_exists "$DEBIAN_BASE" && image_exists "$RUST_BASE" && image_exists "$RUNTIME_BASE"; then
    echo "local base images cached: $RUST_BASE, $RUNTIME_BASE, $DEBIAN_BASE"
    return
  fi
  local mirror
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list (needed by debootstrap)"
  local work rootfs runtime
  work=$(mktemp -d "${TMPDIR:-/tmp}/stock-backtest-base.XXXXXX")
  cleanup_actions+=("rm -rf '$work'")
  rootfs="$work/rootfs"
  runtime="$work/runtime"
  echo "debootstrap $suite (minbase) from $mirror"
  timeout 1200 debootstrap --variant=minbase --include=gcc,libc6-dev,make,ca-certificates,tzdata \
    "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 5 "$work/debootstrap.log" >&2; die "debootstrap of $suite from $mirror failed (log above)"; }
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  # This machine's CAs (a TLS-inspecting proxy, if any) for the crate downloads.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  fi
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1 || die "update-ca-certificates failed in the base image"

  # The runtime base: only the files of libc6 and libgcc-s1, plus CAs and zones.
  local pkg path
  mkdir -p "$runtime"
  # Debian's merged /usr links first; package lists still name /lib/...
  for path in bin lib lib64 sbin; do
    if [ -L "$rootfs/$path" ]; then cp -a "$rootfs/$path" "$runtime/$path"; fi
  done
  for pkg in libc6 libgcc-s1; do
    while IFS= read -r path; do
      case "$path" in /usr/share/doc/* | /usr/share/lintian/* | /usr/share/locale/*) continue ;; esac
      case "$path" in /lib/* | /lib64/* | /bin/* | /sbin/*) path="/usr$path" ;; esac
      if [ -f "$rootfs$path" ] || [ -L "$rootfs$path" ]; then
        (cd "$rootfs" && cp -a --parents ".$path" "$runtime/")
      fi
    done <"$rootfs/var/lib/dpkg/info/$pkg:amd64.list"
  done
  (cd "$rootfs" && cp -a --parents ./etc/ssl/certs/ca-certificates.crt ./usr/share/zoneinfo "$runtime/")
  mkdir -p "$runtime/tmp" "$runtime/etc" "$runtime/app"
  chmod 1777 "$runtime/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nbacktest:x:10001:10001:stock-backtest:/app:/sbin/nologin\n' >"$runtime/etc/passwd"
  printf 'root:x:0:\nbacktest:x:10001:\n' >"$runtime/etc/group"
  printf 'hosts: files dns\n' >"$runtime/etc/nsswitch.conf"

  local path_env="PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  tar -C "$rootfs" -c . | "$DOCKER" import --change "ENV $path_env" - "$DEBIAN_BASE" >/dev/null \
    || die "docker import of $DEBIAN_BASE failed"
  tar -C "$runtime" -c . | "$DOCKER" import \
    --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" \
    --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" - "$RUNTIME_BASE" >/dev/null \
    || die "docker import of $RUNTIME_BASE failed"

  # The Rust toolchain this machine has (no other can be fetched).
  local sysroot
  sysroot=$(rustc --print sysroot)
  cp -a "$sysroot/bin/." "$rootfs/usr/local/bin/"
  cp -a "$sysroot/lib/." "$rootfs/usr/local/lib/"
  [ -d "$sysroot/libexec" ] && cp -a "$sysroot/libexec" "$rootfs/usr/local/"
  mkdir -p "$rootfs/usr/local/cargo/bin"
  tar -C "$rootfs" -c . | "$DOCKER" import --change "ENV $path_env" \
    --change "ENV CARGO_HOME=/usr/local/cargo" - "$RUST_BASE" >/dev/null \
    || die "docker import of $RUST_BASE failed"
  rm -rf "$work"
  echo "local base images made: $RUST_BASE, $RUNTIME_BASE, $DEBIAN_BASE"
}
