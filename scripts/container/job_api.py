#!/usr/bin/env python3
"""A recording stand-in for the Kubernetes API's `batch/v1` Jobs, so the web's
own Kubernetes launcher (JOB_LAUNCHER_MODE=k8s) can run outside a cluster.

usage: job_api.py PORT DIR

It keeps the Jobs the launcher creates (POST) and writes each one, exactly as
received, to DIR/<name>.json; it answers list (by label), get, watch and
delete as the API server would, and records deletions in DIR/deleted.txt. No
controller runs here: the test itself runs each Job's pod as a container and
reports the outcome with `POST /_test/succeeded/<name>`, which the watch then
delivers (status.succeeded = 1 and a Complete condition), like the Job
controller would. Listens on 127.0.0.1 only; plain HTTP.
"""

import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PREFIX = "/apis/batch/v1/namespaces/"
LOCK = threading.Condition()
JOBS = {}  # name -> Job
VERSION = [1]


def bump(job):
    VERSION[0] += 1
    job["metadata"]["resourceVersion"] = str(VERSION[0])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # one line per request on stderr
        sys.stderr.write("job-api: " + (fmt % args) + "\n")

    def reply(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def status(self, code, reason, message):
        self.reply(code, {"apiVersion": "v1", "kind": "Status", "status": "Failure",
                          "code": code, "reason": reason, "message": message, "metadata": {}})

    def route(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if not url.path.startswith(PREFIX):
            return None, None, None, query, url.path
        rest = url.path[len(PREFIX):].split("/")
        if len(rest) < 2 or rest[1] != "jobs":
            return None, None, None, query, url.path
        return rest[0], (rest[2] if len(rest) > 2 else None), True, query, url.path

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        url = urlparse(self.path)
        if url.path.startswith("/_test/succeeded/"):
            name = url.path.rsplit("/", 1)[1]
            with LOCK:
                job = JOBS.get(name)
                if job is None:
                    return self.status(404, "NotFound", name)
                job["status"] = {"succeeded": 1, "conditions": [
                    {"type": "Complete", "status": "True"}]}
                bump(job)
                LOCK.notify_all()
            return self.reply(200, job)
        ns, name, ok, _, _ = self.route()
        if not ok or name:
            return self.status(404, "NotFound", self.path)
        job = json.loads(body)
        name = job["metadata"]["name"]
        with LOCK:
            if name in JOBS:
                return self.status(409, "AlreadyExists", f'jobs.batch "{name}" already exists')
            with open(os.path.join(DIR, name + ".json"), "w", encoding="utf-8") as handle:
                json.dump(job, handle, indent=2)
            stored = json.loads(body)
            stored["metadata"].update({"namespace": ns, "uid": str(uuid.uuid4()),
                                       "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ")})
            bump(stored)
            JOBS[name] = stored
            LOCK.notify_all()
        self.reply(201, stored)

    def do_GET(self):
        ns, name, ok, query, path = self.route()
        if not ok:
            return self.status(404, "NotFound", path)
        if query.get("watch") in ("true", "1"):
            return self.watch(query)
        with LOCK:
            if name:
                job = JOBS.get(name)
                return self.reply(200, job) if job else self.status(404, "NotFound", name)
            items = [j for j in JOBS.values() if matches(j, query.get("labelSelector", ""))]
            return self.reply(200, {"apiVersion": "batch/v1", "kind": "JobList",
                                    "metadata": {"resourceVersion": str(VERSION[0])},
                                    "items": items})

    def watch(self, query):
        field = query.get("fieldSelector", "")
        name = field.split("=", 1)[1] if field.startswith("metadata.name=") else None
        deadline = time.time() + min(int(query.get("timeoutSeconds", "290")), 290)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        seen = {}
        try:
            while time.time() < deadline:
                with LOCK:
                    events = []
                    for job_name, job in JOBS.items():
                        if name and job_name != name:
                            continue
                        version = job["metadata"]["resourceVersion"]
                        if seen.get(job_name) != version:
                            kind = "ADDED" if job_name not in seen else "MODIFIED"
                            seen[job_name] = version
                            events.append({"type": kind, "object": job})
                    if not events:
                        LOCK.wait(timeout=1.0)
                for event in events:
                    self.wfile.write(json.dumps(event).encode() + b"\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_DELETE(self):
        _, name, ok, _, path = self.route()
        if not ok or not name:
            return self.status(404, "NotFound", path)
        with LOCK:
            job = JOBS.pop(name, None)
            if job is None:
                return self.status(404, "NotFound", name)
            with open(os.path.join(DIR, "deleted.txt"), "a", encoding="utf-8") as handle:
                handle.write(name + "\n")
            LOCK.notify_all()
        self.reply(200, job)


def matches(job, selector):
    labels = job["metadata"].get("labels") or {}
    for term in filter(None, selector.split(",")):
        key, _, value = term.partition("=")
        if labels.get(key) != value:
            return False
    return True


if __name__ == "__main__":
    PORT, DIR = int(sys.argv[1]), sys.argv[2]
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
