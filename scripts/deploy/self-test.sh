#!/usr/bin/env bash
# Negative tests of scripts/validate-deploy: each case copies the deployment
# artifacts to a temp dir, breaks one thing, runs the validators in order and
# asserts that the named validator REJECTS the copy (the ones before it must
# still pass, so the failure comes from the intended check). A control copy,
# left intact, must pass every validator used here.
#
# usage: scripts/deploy/self-test.sh   (tools from .tools/bin, see validate-deploy)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCHEMAS="${DEPLOY_SCHEMAS_DIR:-$ROOT/../shared/schemas}"
export PATH="$ROOT/.tools/bin:$PATH"
# shellcheck source=scripts/deploy/lib.sh
source "$ROOT/scripts/deploy/lib.sh"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ARTIFACTS=(helm kustomize argocd .github Dockerfile .dockerignore docker-compose.yml docker-compose.ci.yml .env.example)

fresh_copy() { # fresh_copy DIR: the artifacts, laid out as in the repo
  mkdir -p "$1"
  (cd "$ROOT" && cp -R "${ARTIFACTS[@]}" "$1/")
}

# replace FILE OLD NEW: literal replacement; an OLD that is not there is an
# error of the test itself, never a silent no-op.
replace() {
  "$HOST_PYTHON" - "$@" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()
if old not in text:
    sys.exit(f"self-test setup: {old!r} not found in {path}")
open(path, "w", encoding="utf-8").write(text.replace(old, new))
PY
}

# Validator pipelines, run with C (the copy) and W (its scratch dir) set.
v_chart()     { check_chart "$C" "$W"; }
v_overlays()  { check_overlays "$C" "$W"; }
v_schemas()   { check_k8s_schemas "$W"; }
v_crds()      { check_crds "$W" "$SCHEMAS"; }
v_argocd()    { check_argocd "$C" "$SCHEMAS"; }
v_checkov()   { check_checkov_k8s "checkov renders" -f "$W"/render/*.yaml; }
v_dockerfile_checkov() { check_checkov_dockerfile "$C"; }
v_workflow_checkov()   { check_checkov_workflows "$C"; }
v_hadolint()  { check_hadolint "$C"; }
v_compose()   { check_compose "$C"; }
v_actionlint() { check_actionlint "$C"; }

PASSED=0
FAILED=0
ok()   { PASSED=$((PASSED + 1)); printf '  ok    %s\n' "$1"; }
bad()  { FAILED=$((FAILED + 1)); printf '  FAIL  %s: %s\n' "$1" "$2"; }

# neg NAME "PREREQ..." TARGET MUTATION...: break a copy with MUTATION (a shell
# snippet run in the copy), run PREREQ validators (must pass), then TARGET
# (must fail).
neg() {
  local name=$1 prereqs=$2 target=$3; shift 3
  C="$TMP/$name/repo"; W="$TMP/$name/work"
  fresh_copy "$C"; mkdir -p "$W"
  if ! (cd "$C" && eval "$*") >"$TMP/$name.setup.log" 2>&1; then
    bad "$name" "could not break the copy: $(cat "$TMP/$name.setup.log")"; return
  fi
  local v
  for v in $prereqs; do
    if ! ( $v ) >"$TMP/$name.log" 2>&1; then
      bad "$name" "prerequisite $v failed first:"; sed 's/^/        /' "$TMP/$name.log" | tail -5; return
    fi
  done
  if ( $target ) >"$TMP/$name.log" 2>&1; then
    bad "$name" "$target accepted the broken copy"
  else
    ok "$name: $target rejects it ($(grep -m1 -iE 'error|fail|invalid|missing|not|expected|DL[0-9]' "$TMP/$name.log" | cut -c1-110 | sed 's/^ *//'))"
  fi
}

echo "  control: an intact copy passes every validator used below"
C="$TMP/control/repo"; W="$TMP/control/work"; fresh_copy "$C"; mkdir -p "$W"
for v in v_chart v_overlays v_schemas v_crds v_argocd v_checkov v_dockerfile_checkov \
         v_workflow_checkov v_hadolint v_compose v_actionlint; do
  if ( $v ) >"$TMP/control.log" 2>&1; then ok "control: $v"; else bad "control" "$v failed on the intact copy"; cat "$TMP/control.log"; fi
done

echo "  negative cases"
# --- tampered chart ----------------------------------------------------------
neg chart-broken-template "" v_chart \
  'replace helm/stock-backtest/templates/deployment.yaml "  strategy:" "  strategy: ["'
neg chart-unknown-value "" v_chart \
  'replace helm/stock-backtest/values.yaml "nameOverride: \"\"" "nameOverride: \"\"
replicas: 3"'
neg chart-latest-tag "" v_chart \
  'replace helm/stock-backtest/values.yaml "  tag: \"\"" "  tag: latest"'
neg chart-missing-namespace "" v_chart \
  'replace helm/stock-backtest/templates/service.yaml "  namespace: {{ .Release.Namespace }}
" ""'
neg chart-cluster-role "" v_chart \
  'replace helm/stock-backtest/templates/role.yaml "kind: Role" "kind: ClusterRole"'
neg chart-invalid-field "v_chart" v_schemas \
  'replace helm/stock-backtest/templates/deployment.yaml "containerPort:" "containerPorts:"'
neg chart-writable-rootfs "v_chart" v_checkov \
  'replace helm/stock-backtest/templates/_helpers.tpl "readOnlyRootFilesystem: true" "readOnlyRootFilesystem: false"'
neg chart-privileged "v_chart" v_checkov \
  'replace helm/stock-backtest/templates/_helpers.tpl "privileged: false" "privileged: true"'
# --- bad overlay -------------------------------------------------------------
neg overlay-missing-resource "" v_overlays \
  'replace kustomize/overlays/dev/kustomization.yaml "
namespace: backtest-dev
" "
namespace: backtest-dev
resources:
  - missing.yaml
"'
neg overlay-bad-patch-path "" v_overlays \
  'replace kustomize/overlays/prod/kustomization.yaml "/spec/template/spec/containers/0/resources" "/spec/template/spec/containerz/0/resources"'
neg overlay-wrong-namespace "" v_overlays \
  'replace kustomize/overlays/prod/kustomization.yaml "    namespace: backtest-prod" "    namespace: default"'
neg overlay-bad-servicemonitor "v_overlays" v_crds \
  'replace helm/stock-backtest/templates/servicemonitor.yaml "    - port: http" "    - port: 8000"'
# --- invalid Argo CD files ---------------------------------------------------
neg argocd-app-wrong-type "" v_argocd \
  'replace argocd/app-dev.yaml "      prune: true" "      prune: \"yes\""'
neg argocd-app-no-destination "" v_argocd \
  'replace argocd/app-prod.yaml "  destination:" "  destinaton:"'
neg argocd-project-wrong-type "" v_argocd \
  'replace argocd/project.yaml "  sourceRepos:
    - https://github.com/stock-backtest/stock-backtest.git" "  sourceRepos: https://github.com/stock-backtest/stock-backtest.git"'
# --- bad Dockerfile ----------------------------------------------------------
neg dockerfile-latest-base "" v_hadolint \
  'replace Dockerfile "FROM \${RUNTIME_IMAGE} AS runtime" "FROM debian:latest AS runtime"'
neg dockerfile-root-user "" v_hadolint \
  'replace Dockerfile "USER 10001:10001" "USER root"'
neg dockerfile-no-healthcheck "" v_dockerfile_checkov \
  'replace Dockerfile "HEALTHCHECK --interval" "# HEALTHCHECK --interval" && replace Dockerfile "    CMD [\"/usr/local/bin/backtest\"" "#    CMD [\"/usr/local/bin/backtest\""'
# --- bad docker-compose ------------------------------------------------------
neg compose-unknown-dependency "" v_compose \
  'replace docker-compose.yml "      migrate:
        condition" "      migrat:
        condition"'
# --- bad workflow ------------------------------------------------------------
neg workflow-unknown-job "" v_actionlint \
  'replace .github/workflows/ci.yml "    needs: image" "    needs: imagee"'
neg workflow-write-all "" v_workflow_checkov \
  'replace .github/workflows/ci.yml "permissions:
  contents: read

concurrency" "permissions: write-all

concurrency"'

echo
echo "validate-deploy-self-test: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
