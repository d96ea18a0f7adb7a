#!/usr/bin/env bash
# Runs a FleetGrains cluster on this machine with the production configuration: a Redis (membership,
# grain state, reminders, telemetry streams, dead letters; append-only file fsynced on every write),
# a mosquitto broker, and N silo processes sharing them.
#
#   deploy/local-cluster.sh start [N]   build the silo, start Redis, mosquitto and N silos (default 3)
#   deploy/local-cluster.sh status      what runs, and each silo's readiness
#   deploy/local-cluster.sh stop        stop the silos gracefully, then mosquitto and Redis
#
# Ports (environment): REDIS_PORT (6379), MQTT_PORT (1883); silo i serves HTTP on HTTP_PORT+i (5080),
# talks to silos on 11111+i and to clients on 30000+i. Silo 0 also runs the simulated fleet (SIMULATE=0: none).
# Files, logs and Redis data live in RUN_DIR (.local-cluster in the repository). The silos share one admin API key,
# made on the first start and kept in RUN_DIR/admin-key (mode 600): fleetctl reads it with FLEETCTL_KEY_FILE.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
run_dir="${RUN_DIR:-$repo/.local-cluster}"
redis_port="${REDIS_PORT:-6379}"
mqtt_port="${MQTT_PORT:-1883}"
http_port="${HTTP_PORT:-5080}"
simulate="${SIMULATE:-1}"

require() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || { echo "local-cluster: $1 is not installed (apt-get install -y $2)" >&2; exit 1; }
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local count="${1:-3}"
  require redis-server redis-server
  require mosquitto mosquitto
  mkdir -p "$run_dir/redis"
  if alive "$run_dir/redis.pid"; then echo "local-cluster: already running (stop it first)" >&2; exit 1; fi

  if [ ! -s "$run_dir/admin-key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' >"$run_dir/admin-key")
  fi

  echo "building the silo (Release)…"
  dotnet build "$repo/src/FleetGrains.Silo" -c Release -nologo -v quiet >/dev/null
  local silo_dll="$repo/src/FleetGrains.Silo/bin/Release/net10.0/FleetGrains.Silo.dll"

  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$run_dir/redis" --save "" \
    --appendonly yes --appendfsync always --daemonize no >"$run_dir/redis.log" 2>&1 &
  echo $! >"$run_dir/redis.pid"

  cat >"$run_dir/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 100000
CONF
  "$(command -v mosquitto || echo /usr/sbin/mosquitto)" -c "$run_dir/mosquitto.conf" >"$run_dir/mosquitto.log" 2>&1 &
  echo $! >"$run_dir/mosquitto.pid"
  sleep 1

  for ((i = 0; i < count; i++)); do
    (
      cd "$(dirname "$silo_dll")"
      export Urls="http://127.0.0.1:$((http_port + i))"
      export Fleet__Cluster__Clustering=Redis Fleet__Cluster__Storage=Redis Fleet__Cluster__Reminders=Redis
      export Fleet__Cluster__Redis="127.0.0.1:$redis_port" Fleet__Cluster__AdvertisedAddress=127.0.0.1
      export Fleet__Cluster__SiloPort=$((11111 + i)) Fleet__Cluster__GatewayPort=$((30000 + i))
      export Fleet__Sources__RedisStreams__Enabled=true Fleet__Security__AdminKey="$(cat "$run_dir/admin-key")"
      export Fleet__Sources__Mqtt__Enabled=true Fleet__Sources__Mqtt__Host=127.0.0.1 Fleet__Sources__Mqtt__Port="$mqtt_port"
      if [ "$i" -ne 0 ] || [ "$simulate" = 0 ]; then export Fleet__Simulator__Enabled=false; fi
      exec dotnet "$silo_dll"
    ) >"$run_dir/silo$i.log" 2>&1 &
    echo $! >"$run_dir/silo$i.pid"
  done

  for ((i = 0; i < count; i++)); do
    local deadline=$((SECONDS + 90))
    until curl -fs "http://127.0.0.1:$((http_port + i))/health/ready" >/dev/null 2>&1; do
      if ! alive "$run_dir/silo$i.pid" || [ $SECONDS -gt $deadline ]; then
        echo "local-cluster: silo $i did not become ready; see $run_dir/silo$i.log" >&2; exit 1
      fi
      sleep 0.5
    done
    echo "silo $i ready: http://127.0.0.1:$((http_port + i))"
  done
  echo "Redis 127.0.0.1:$redis_port, MQTT 127.0.0.1:$mqtt_port; logs in $run_dir"
  echo "admin key: export FLEET_KEY=\$(cat $run_dir/admin-key)   (fleetctl: export FLEETCTL_KEY_FILE=$run_dir/admin-key)"
}

status() {
  for pidfile in "$run_dir"/*.pid; do
    [ -e "$pidfile" ] || { echo "not running"; return; }
    local name; name="$(basename "$pidfile" .pid)"
    if alive "$pidfile"; then state=running; else state=stopped; fi
    if [[ "$name" == silo* ]] && [ "$state" = running ]; then
      local i="${name#silo}"
      curl -fs "http://127.0.0.1:$((http_port + i))/health/ready" >/dev/null 2>&1 && state="running, ready" || state="running, not ready"
    fi
    echo "$name: $state"
  done
}

stop() {
  # Silos first (each hands its partitions back and writes its grains' state), then the servers.
  for pidfile in "$run_dir"/silo*.pid; do
    [ -e "$pidfile" ] && alive "$pidfile" && kill -TERM "$(cat "$pidfile")"
  done
  for pidfile in "$run_dir"/silo*.pid; do
    [ -e "$pidfile" ] || continue
    while alive "$pidfile"; do sleep 0.2; done
    rm -f "$pidfile"
  done
  for name in mosquitto redis; do
    if alive "$run_dir/$name.pid"; then
      kill -TERM "$(cat "$run_dir/$name.pid")"
      while alive "$run_dir/$name.pid"; do sleep 0.2; done
    fi
    rm -f "$run_dir/$name.pid"
  done
  echo "stopped"
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  status) status ;;
  stop) stop ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
