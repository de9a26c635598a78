#!/usr/bin/env python3
"""Structural checks on rendered Kubernetes manifests that schema validation
does not do: the render is not empty, the expected kinds are present, every
namespaced object names its namespace (kustomize >= 5.8 leaves helmCharts
output alone), no cluster-wide RBAC, no `latest` image.

Also extracts, for the next validators, the worker Job template held in a
ConfigMap (as a standalone Job manifest) and each ServiceMonitor (one per file).

usage: check_manifests.py RENDERED.yaml --kinds Kind,Kind --namespace NS --extract-dir DIR
"""
import argparse
import os
import re
import sys

import yaml

CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
}
FORBIDDEN = {"ClusterRole", "ClusterRoleBinding"}


def images(obj):
    """Yield every container image in a workload, wherever its pod spec sits."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for c in value:
                    if isinstance(c, dict) and "image" in c:
                        yield c["image"]
            else:
                yield from images(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from images(item)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rendered")
    ap.add_argument("--kinds", required=True, help="comma-separated kinds that must be present")
    ap.add_argument("--namespace", required=True, help="namespace every namespaced object must carry")
    ap.add_argument("--extract-dir", required=True)
    args = ap.parse_args()

    errors = []
    with open(args.rendered, encoding="utf-8") as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d]
    if not docs:
        errors.append("the render is empty")

    base = os.path.splitext(os.path.basename(args.rendered))[0]
    os.makedirs(args.extract_dir, exist_ok=True)
    kinds = set()
    for i, doc in enumerate(docs):
        kind = doc.get("kind", "?")
        meta = doc.get("metadata") or {}
        ident = f"{kind}/{meta.get('name', '?')}"
        kinds.add(kind)
        if kind in FORBIDDEN:
            errors.append(f"{ident}: cluster-wide RBAC is not allowed (use a namespaced Role)")
        if kind not in CLUSTER_SCOPED:
            ns = meta.get("namespace")
            if not ns:
                errors.append(f"{ident}: metadata.namespace is missing")
            elif ns != args.namespace:
                errors.append(f"{ident}: namespace {ns!r}, expected {args.namespace!r}")
        for image in images(doc.get("spec")):
            if "@" not in image and (image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]):
                errors.append(f"{ident}: image {image!r} is untagged or `latest`")
        if kind == "ConfigMap":
            for key, text in (doc.get("data") or {}).items():
                if key.endswith(".yaml") and re.search(r"^kind:\s*Job\s*$", text, re.M):
                    job = yaml.safe_load(text)
                    job.setdefault("metadata", {}).setdefault("name", "worker-template-check")
                    out = os.path.join(args.extract_dir, f"{base}-{meta.get('name')}-{key}")
                    with open(out, "w", encoding="utf-8") as fh:
                        yaml.safe_dump(job, fh, sort_keys=False)
                    for image in images(job.get("spec")):
                        if image.endswith(":latest"):
                            errors.append(f"{ident}: worker template image {image!r} is `latest`")
        if kind == "ServiceMonitor":
            out = os.path.join(args.extract_dir, f"{base}-servicemonitor-{i}.yaml")
            with open(out, "w", encoding="utf-8") as fh:
                yaml.safe_dump(doc, fh, sort_keys=False)

    missing = sorted(set(filter(None, args.kinds.split(","))) - kinds)
    if missing:
        errors.append(f"expected kinds missing from the render: {', '.join(missing)}")

    if errors:
        for e in errors:
            print(f"  {args.rendered}: {e}", file=sys.stderr)
        return 1
    print(f"  {os.path.basename(args.rendered)}: {len(docs)} objects, kinds ok, all namespaced in {args.namespace}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
