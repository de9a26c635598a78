#!/usr/bin/env python3
"""Reads `checkov -o json` on stdin; fails on any failed check, and also when
nothing was scanned (checkov exits 0 on an empty scan, e.g. a workflow it could
not parse or `--framework helm` without helm on PATH).

usage: checkov ... -o json | checkov_gate.py LABEL
"""
import json
import sys


def main():
    label = sys.argv[1] if len(sys.argv) > 1 else "checkov"
    raw = sys.stdin.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        print(f"  {label}: checkov did not produce JSON:\n{raw[:2000]}", file=sys.stderr)
        return 1
    reports = data if isinstance(data, list) else [data]
    passed = failed = skipped = 0
    for report in reports:
        if "summary" not in report:  # an empty scan is a bare summary dict
            report = {"summary": report, "results": {}}
        s = report["summary"]
        passed += s.get("passed", 0)
        failed += s.get("failed", 0)
        skipped += s.get("skipped", 0)
        for check in (report.get("results") or {}).get("failed_checks", []):
            print(f"  FAILED {check['check_id']} {check.get('check_name', '')}\n"
                  f"         {check.get('resource')} in {check.get('file_path')}", file=sys.stderr)
    print(f"  {label}: {passed} passed, {failed} failed, {skipped} suppressed with a reason")
    if failed:
        return 1
    if passed == 0:
        print(f"  {label}: nothing was scanned", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
