# Sourced by scripts/container-test: a Docker engine to build and run with.
#
# engine_up: reuse an engine that answers on DOCKER_HOST (or the default
# socket); otherwise install docker.io from Debian's packages when missing and
# start a private dockerd with no bridge, no iptables rules and no forwarding,
# so no network interface or address outside 127.0.0.0/8 ever appears.
# Containers and builds then use --network=host or --network=none. The
# data-root lives under $HOME/.cache so images and build caches survive
# between CI runs. engine_down stops only the daemon engine_up started, by PID.

ENGINE_HOME="${ENGINE_HOME:-$HOME/.cache/stock-backtest/docker}"
ENGINE_STARTED_PID=""
# Debian's client: it drives BuildKit without the buildx plugin.
DOCKER="${DOCKER:-/usr/bin/docker}"

die() { echo "container-test: $*" >&2; exit 1; }

# apt_install PKG...: installs Debian packages (waiting for another apt).
apt_install() {
  [ "$(id -u)" = 0 ] || die "need root to install $* (apt-get)"
  local apt=(apt-get -q -o DPkg::Lock::Timeout=300)
  DEBIAN_FRONTEND=noninteractive timeout 900 "${apt[@]}" install -y "$@" >/dev/null 2>&1 \
    || { timeout 300 "${apt[@]}" update >/dev/null 2>&1 \
      && DEBIAN_FRONTEND=noninteractive timeout 900 "${apt[@]}" install -y "$@" >/dev/null 2>&1; } \
    || die "cannot install $* with apt-get"
}

engine_answers() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

engine_up() {
  local need=()
  [ -x "$DOCKER" ] && command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

  if [ -n "${DOCKER_HOST:-}" ] && engine_answers; then
    echo "reusing the Docker engine at $DOCKER_HOST"
    return
  fi
  [ "$(id -u)" = 0 ] || die "need root to start a private Docker engine"
  mkdir -p "$ENGINE_HOME/data" "$ENGINE_HOME/exec"
  local sock="$ENGINE_HOME/docker.sock" pidfile="$ENGINE_HOME/docker.pid"
  export DOCKER_HOST="unix://$sock"
  if engine_answers; then
    echo "reusing the Docker engine at $DOCKER_HOST"
    return
  fi
  # A daemon of an interrupted earlier run that no longer answers.
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    die "a dockerd (pid $(cat "$pidfile")) holds $ENGINE_HOME but does not answer; stop it first"
  fi
  rm -f "$sock" "$pidfile"
  dockerd --data-root "$ENGINE_HOME/data" --exec-root "$ENGINE_HOME/exec" \
    --pidfile "$pidfile" --host "$DOCKER_HOST" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    >"$ENGINE_HOME/dockerd.log" 2>&1 &
  ENGINE_STARTED_PID=$!
  local i
  for i in $(seq 1 60); do
    engine_answers && break
    kill -0 "$ENGINE_STARTED_PID" 2>/dev/null || break
    sleep 1
  done
  if ! engine_answers; then
    tail -n 5 "$ENGINE_HOME/dockerd.log" >&2 || true
    engine_down
    die "the private Docker engine did not start (log: $ENGINE_HOME/dockerd.log)"
  fi
  echo "private Docker engine $("$DOCKER" version --format '{{.Server.Version}}') (pid $ENGINE_STARTED_PID) at $DOCKER_HOST"
}

engine_down() {
  [ -n "$ENGINE_STARTED_PID" ] || return 0
  kill "$ENGINE_STARTED_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 30); do
    kill -0 "$ENGINE_STARTED_PID" 2>/dev/null || break
    sleep 1
  done
  kill -9 "$ENGINE_STARTED_PID" 2>/dev/null || true
  ENGINE_STARTED_PID=""
}
