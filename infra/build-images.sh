#!/usr/bin/env bash
# Builds Baton's images with podman from this checkout: the packed packages (pnpm pack-packages)
# into a clean context, then the gateway, worker, redis and haproxy targets of infra/Containerfile.
#
#   infra/build-images.sh [tag]        # default tag: dev -> localhost/baton-gateway:dev, ...
#
# Without a reachable registry (this machine kind), the base is a Debian bookworm minbase made
# with debootstrap from the mirror apt uses and imported with `podman import`; the root file
# system is cached as a tarball under the tools cache, so it is made once per machine. Set
# BATON_BASE_IMAGE to use another base (e.g. docker.io/library/debian:bookworm-slim), and
# BATON_PACKS_DIR to build from tarballs packed already instead of packing this checkout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tag=${1:-dev}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/infra/podman/containers.conf}
tools=${BATON_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/baton-tools}
base=${BATON_BASE_IMAGE:-localhost/baton-base:bookworm}
log() { printf '[build-images] %s\n' "$*" >&2; }

for tool in podman pnpm; do
  command -v "$tool" >/dev/null || { log "$tool is not on PATH"; exit 1; }
done

if [ "$base" = localhost/baton-base:bookworm ] && ! podman image exists "$base"; then
  rootfs_tar="$tools/debian-bookworm-minbase.tar"
  if [ ! -f "$rootfs_tar" ]; then
    command -v debootstrap >/dev/null || { log "debootstrap is not on PATH"; exit 1; }
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    mirror=${mirror:-http://deb.debian.org/debian}
    staging=$(mktemp -d)
    log "debootstrap bookworm minbase from $mirror (once per machine)"
    debootstrap --variant=minbase bookworm "$staging/rootfs" "$mirror" >/dev/null
    rm -rf "$staging"/rootfs/var/cache/apt/archives/*.deb "$staging"/rootfs/var/lib/apt/lists/*
    mkdir -p "$tools"
    tar -C "$staging/rootfs" -cf "$rootfs_tar.tmp" .
    mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$staging"
  fi
  log "importing $rootfs_tar as $base"
  podman import --change 'CMD ["/bin/bash"]' "$rootfs_tar" "$base" >/dev/null
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
# The certificate authorities this machine trusts beyond Debian's, for the build's downloads.
mkdir -p "$context/ca"
for ca in "${BATON_BUILD_CA_DIR:-/usr/local/share/ca-certificates}"/*.crt; do
  [ -f "$ca" ] && cp "$ca" "$context/ca/"
done
if [ -n "${BATON_PACKS_DIR:-}" ]; then
  log "using the packed packages of $BATON_PACKS_DIR"
  mkdir -p "$context/packs" && cp "$BATON_PACKS_DIR"/*.tgz "$context/packs/"
else
  log "packing the packages"
  (cd "$root" && pnpm --silent pack-packages "$context/packs" >/dev/null)
fi

case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64 | arm64) node_arch=arm64 ;;
  *) log "unsupported architecture $(uname -m)"; exit 1 ;;
esac

for target in gateway worker redis haproxy; do
  log "building localhost/baton-$target:$tag"
  podman build --quiet --format docker --build-arg "BASE=$base" --build-arg "NODE_ARCH=$node_arch" -f "$root/infra/Containerfile" \
    --target "$target" -t "localhost/baton-$target:$tag" "$context" >/dev/null
done
log "built localhost/baton-{gateway,worker,redis,haproxy}:$tag"
