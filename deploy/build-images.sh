#!/usr/bin/env bash
# Builds the FleetGrains silo images offline, with podman: a Debian base made with debootstrap (from Debian's
# package mirror; made once, then reused), the silo and fleetctl published with the local .NET SDK, and
# deploy/Containerfile, whose steps only copy files. Two images: fleetgrains/silo:TAG and fleetgrains/silo:TAG-gpu
# (the silo built with -p:FleetGpu=true: ONNX Runtime's CUDA and TensorRT providers; run it on a node with CUDA).
#
#   deploy/build-images.sh [TAG]        (as root; needs podman and debootstrap: apt-get install -y podman debootstrap)
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-dev}"
base="localhost/fleetgrains-base:bookworm"
work="${FLEET_IMAGE_WORK:-$PWD/artifacts/images}"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"

mkdir -p "$work"
if ! podman image exists "$base"; then
  echo "build-images.sh: making the base $base with debootstrap"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates,libssl3,zlib1g,libstdc++6,libgomp1 \
    bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work.debootstrap.log" 2>&1 ||
    { tail -20 "$work.debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import - "$base" >/dev/null
  rm -rf "$rootfs"
fi

for variant in cpu gpu; do
  context="$work/$variant"
  rm -rf "$context"
  mkdir -p "$context/dotnet/shared"
  gpu=false; suffix=""
  if [ "$variant" = gpu ]; then gpu=true; suffix="-gpu"; fi
  echo "build-images.sh: publishing the $variant silo and fleetctl"
  # Restore and build output of their own (obj/image-*, bin/image-*): the usual build beside is left as it is.
  separate=(-p:FleetGpu=$gpu -p:BaseIntermediateOutputPath=obj/image-$variant/ -p:BaseOutputPath=bin/image-$variant/)
  dotnet publish src/FleetGrains.Silo/FleetGrains.Silo.csproj -c Release -r linux-x64 --self-contained false \
    "${separate[@]}" -o "$context/app" -nologo -v quiet
  dotnet publish src/FleetGrains.Cli/FleetGrains.Cli.csproj -c Release -r linux-x64 --self-contained false \
    "${separate[@]}" -o "$context/fleetctl" -nologo -v quiet
  # The runtime the SDK carries: the dotnet host and the two shared frameworks the silo and fleetctl use.
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$context/dotnet/"
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$context/dotnet/shared/"
  echo "build-images.sh: building fleetgrains/silo:$tag$suffix"
  # No intermediate images (--layers=false), and the image this tag named before is removed once the tag moves:
  # building again (every test run does) must not leave a 0.3–1.4 GB image behind each time.
  image="fleetgrains/silo:$tag$suffix"
  previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  podman build --quiet --layers=false -f deploy/Containerfile --build-arg BASE="$base" -t "$image" "$context" >/dev/null
  if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
done

echo "build-images.sh: built fleetgrains/silo:$tag and fleetgrains/silo:$tag-gpu"
