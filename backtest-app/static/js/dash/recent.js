// The "Recent runs" and "Recent sweeps" panels: the last runs and sweeps,
// each a #run=<id> or #sweep=<id> link.

import { api } from "./api.js";
import { BADGE_CLASSES } from "./form.js";
import { el, shortId } from "./format.js";

let pending = 0; // loads in flight; the list is aria-busy while any is

export async function loadRecentRuns() {
  const list = el("recent-runs");
  pending += 1;
  list.setAttribute("aria-busy", "true");
  try {
    const page = await api("GET", "/api/runs?limit=10");
    const runs = Array.isArray(page) ? page : (page.runs || []);
    if (runs.length === 0) {
      list.replaceChildren(runItem(null, "No runs yet."));
    } else {
      list.replaceChildren(...runs.map((run) => runItem(run)));
    }
  } catch (err) {
    list.replaceChildren(runItem(null, `Recent runs could not be loaded: ${err.message}`));
  } finally {
    pending -= 1;
    if (pending === 0) list.setAttribute("aria-busy", "false");
  }
}

function runItem(run, text) {
  if (!run) {
    const div = document.createElement("div");
    div.className = "list-group-item text-body-secondary";
    div.textContent = text;
    return div;
  }
  const a = document.createElement("a");
  a.className = "list-group-item list-group-item-action d-flex align-items-center gap-2";
  a.href = `#run=${encodeURIComponent(run.run_id)}`;
  a.dataset.runId = run.run_id;
  const what = document.createElement("span");
  what.className = "me-auto";
  what.textContent = `${run.ticker || "?"} · ${run.rule_type || "?"}`;
  const meta = document.createElement("span");
  meta.className = "run-meta";
  meta.textContent = run.created_at ? String(run.created_at).replace("T", " ").slice(0, 19) : shortId(run.run_id);
  const badge = document.createElement("span");
  badge.className = `badge ${BADGE_CLASSES[run.status] || "text-bg-secondary"}`;
  badge.textContent = run.status || "?";
  a.append(what, meta, badge);
  return a;
}

export function runIdFromHash() {
  const match = /^#run=(.+)$/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

let pendingSweeps = 0;

export async function loadRecentSweeps() {
  const list = el("recent-sweeps");
  pendingSweeps += 1;
  list.setAttribute("aria-busy", "true");
  try {
    const page = await api("GET", "/api/sweeps?limit=10");
    const sweeps = page.sweeps || [];
    if (sweeps.length === 0) {
      list.replaceChildren(runItem(null, "No sweeps yet."));
    } else {
      list.replaceChildren(...sweeps.map(sweepItem));
    }
  } catch (err) {
    list.replaceChildren(runItem(null, `Recent sweeps could not be loaded: ${err.message}`));
  } finally {
    pendingSweeps -= 1;
    if (pendingSweeps === 0) list.setAttribute("aria-busy", "false");
  }
}

function sweepItem(sweep) {
  const a = document.createElement("a");
  a.className = "list-group-item list-group-item-action d-flex align-items-center gap-2";
  a.href = `#sweep=${encodeURIComponent(sweep.sweep_id)}`;
  a.dataset.sweepId = sweep.sweep_id;
  const what = document.createElement("span");
  what.className = "me-auto";
  what.textContent = `${sweep.ticker || "?"} · ${sweep.rule_type || "?"} · ${sweep.objective || "?"}`;
  const meta = document.createElement("span");
  meta.className = "run-meta";
  const p = sweep.progress || {};
  meta.textContent = `${p.done ?? "?"}/${p.total ?? "?"}`;
  const badge = document.createElement("span");
  badge.className = `badge ${BADGE_CLASSES[sweep.status] || "text-bg-secondary"}`;
  badge.textContent = sweep.status || "?";
  a.append(what, meta, badge);
  return a;
}

export function sweepIdFromHash() {
  const match = /^#sweep=(.+)$/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}
