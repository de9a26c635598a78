#!/usr/bin/env python3
"""Map the pod template of a worker Job to a `docker run` command.

usage: job_to_docker.py JOB_JSON RENDERED_CHART_YAML --name NAME
           [--set-env NAME=VALUE]... [--add-env NAME=VALUE]... [--mount SRC:DST:ro]...
           [--network host|none]

JOB_JSON is what the Kubernetes launcher would create for a run (`backtest
render-job`), RENDERED_CHART_YAML the chart rendered by `helm template` (it
holds the ConfigMap and Secret the pod reads). Prints a JSON object:
{"args": [docker run arguments after `run`], "backoff_limit": N,
"active_deadline_seconds": N, "image": IMAGE}.

What a container runtime can enforce is mapped; everything else is refused
rather than silently dropped:
- image, command (-> --entrypoint + leading args), args;
- envFrom configMapRef/secretRef and env value / valueFrom configMapKeyRef /
  secretKeyRef, resolved from the rendered ConfigMap and Secret, env winning
  over envFrom as in Kubernetes; --set-env overrides a variable the pod sets
  (the database URL points at the test database) and --add-env adds one it
  does not (a test knob): the only deliberate deviations, named by the caller;
- securityContext, container over pod: runAsUser/runAsGroup -> --user,
  runAsNonRoot (checked), readOnlyRootFilesystem -> --read-only,
  allowPrivilegeEscalation: false -> --security-opt no-new-privileges,
  capabilities drop/add -> --cap-drop/--cap-add, privileged (refused),
  seccompProfile RuntimeDefault (the engine's default profile);
- emptyDir volumes -> --tmpfs at their mount path (sizeLimit -> size);
- resources.limits memory/cpu -> --memory/--cpus (requests only matter to a
  scheduler);
- labels -> --label; the pod runs with no service account token
  (automountServiceAccountToken: false is required);
- the pod network is the host's (--network, default host): no bridge may be
  created here, and the database is on the host's loopback.
"""

import argparse
import base64
import json
import re
import sys

import yaml

SUFFIXES = {
    "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4,
    "k": 1000, "K": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4, "": 1,
}


def fail(message):
    sys.exit(f"job_to_docker: {message}")


def quantity_bytes(text):
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text))
    if not match or match.group(2) not in SUFFIXES:
        fail(f"unsupported memory quantity {text!r}")
    return int(float(match.group(1)) * SUFFIXES[match.group(2)])


def quantity_cpus(text):
    text = str(text)
    if text.endswith("m"):
        return f"{int(text[:-1]) / 1000:g}"
    return f"{float(text):g}"


def rendered_objects(path):
    objects = {}
    with open(path, encoding="utf-8") as handle:
        for doc in yaml.safe_load_all(handle):
            if isinstance(doc, dict) and doc.get("kind") in ("ConfigMap", "Secret"):
                objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def config_map_data(objects, name):
    doc = objects.get(("ConfigMap", name))
    if doc is None:
        fail(f"ConfigMap {name} is not in the rendered chart")
    return {k: str(v) for k, v in (doc.get("data") or {}).items()}


def secret_data(objects, name):
    doc = objects.get(("Secret", name))
    if doc is None:
        fail(f"Secret {name} is not in the rendered chart")
    data = {k: base64.b64decode(v).decode() for k, v in (doc.get("data") or {}).items()}
    data.update({k: str(v) for k, v in (doc.get("stringData") or {}).items()})
    return data


def resolve_env(container, objects):
    env = {}
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            data = config_map_data(objects, source["configMapRef"]["name"])
        elif "secretRef" in source:
            data = secret_data(objects, source["secretRef"]["name"])
        else:
            fail(f"unsupported envFrom {source}")
        env.update({prefix + k: v for k, v in data.items()})
    for item in container.get("env") or []:
        name = item["name"]
        if "value" in item:
            env[name] = str(item["value"])
            continue
        ref = item.get("valueFrom") or {}
        if "configMapKeyRef" in ref:
            key = ref["configMapKeyRef"]
            data = config_map_data(objects, key["name"])
        elif "secretKeyRef" in ref:
            key = ref["secretKeyRef"]
            data = secret_data(objects, key["name"])
        else:
            fail(f"env {name}: unsupported valueFrom {ref}")
        if key["key"] not in data:
            fail(f"env {name}: key {key['key']} missing from {key['name']}")
        env[name] = data[key["key"]]
    return env


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("job")
    parser.add_argument("rendered")
    parser.add_argument("--name", required=True)
    parser.add_argument("--set-env", action="append", default=[])
    parser.add_argument("--add-env", action="append", default=[])
    parser.add_argument("--mount", action="append", default=[])
    parser.add_argument("--network", default="host")
    opts = parser.parse_args()

    with open(opts.job, encoding="utf-8") as handle:
        job = json.load(handle)
    objects = rendered_objects(opts.rendered)
    spec = job["spec"]
    pod = spec["template"]["spec"]
    containers = pod["containers"]
    container = next((c for c in containers if c["name"] == "worker"), containers[0])
    if len(containers) != 1 or pod.get("initContainers"):
        fail("only single-container pods without init containers are mapped")
    if pod.get("automountServiceAccountToken") is not False:
        fail("the worker pod must not mount a service account token")
    if pod.get("restartPolicy") != "Never":
        fail("a Job pod with restartPolicy other than Never is not mapped")

    args = ["--name", opts.name, "--hostname", opts.name[:63], "--network", opts.network]
    labels = dict((spec["template"].get("metadata") or {}).get("labels") or {})
    for key, value in sorted(labels.items()):
        args += ["--label", f"{key}={value}"]

    security = dict(pod.get("securityContext") or {})
    security.update(container.get("securityContext") or {})
    user, group = security.get("runAsUser"), security.get("runAsGroup")
    if user is not None:
        args += ["--user", f"{user}:{group if group is not None else user}"]
    if security.get("runAsNonRoot") and user in (None, 0):
        fail("runAsNonRoot needs a non-zero runAsUser to be checked here")
    if security.get("privileged"):
        fail("privileged pods are refused")
    if security.get("readOnlyRootFilesystem"):
        args.append("--read-only")
    if security.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    caps = security.get("capabilities") or {}
    for cap in caps.get("drop") or []:
        args += ["--cap-drop", cap]
    for cap in caps.get("add") or []:
        args += ["--cap-add", cap]
    seccomp = (security.get("seccompProfile") or {}).get("type", "RuntimeDefault")
    if seccomp != "RuntimeDefault":
        fail(f"seccompProfile {seccomp} is not mapped")

    volumes = {v["name"]: v for v in pod.get("volumes") or []}
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount["name"])
        if volume is None or "emptyDir" not in volume:
            fail(f"volume {mount['name']}: only emptyDir is mapped")
        options = ["rw", "mode=1777"]
        size = (volume["emptyDir"] or {}).get("sizeLimit")
        if size:
            options.append(f"size={quantity_bytes(size)}")
        args += ["--tmpfs", f"{mount['mountPath']}:{','.join(options)}"]
    for mount in opts.mount:
        args += ["--volume", mount]

    limits = (container.get("resources") or {}).get("limits") or {}
    if "memory" in limits:
        args += ["--memory", str(quantity_bytes(limits["memory"]))]
    if "cpu" in limits:
        args += ["--cpus", quantity_cpus(limits["cpu"])]

    env = resolve_env(container, objects)
    for item in opts.set_env:
        name, _, value = item.partition("=")
        if name not in env:
            fail(f"--set-env {name}: the pod has no such variable")
        env[name] = value
    for item in opts.add_env:
        name, _, value = item.partition("=")
        if name in env:
            fail(f"--add-env {name}: the pod already sets it")
        env[name] = value
    for name in sorted(env):
        args += ["--env", f"{name}={env[name]}"]

    command = container.get("command") or []
    if command:
        args += ["--entrypoint", command[0]]
    args.append(container["image"])
    args += command[1:] + (container.get("args") or [])

    json.dump({
        "args": args,
        "image": container["image"],
        "backoff_limit": spec.get("backoffLimit", 6),
        "active_deadline_seconds": spec.get("activeDeadlineSeconds"),
    }, sys.stdout)


if __name__ == "__main__":
    main()
