// The Sweep view: submitting a sweep (POST /api/sweeps), following its
// progress (GET /api/sweeps/<id>), then its heatmap, best combinations and
// walk-forward folds; a cell or row opens that combination as a full run.

import { api, ApiError, sleep } from "./api.js";
import { currentToken } from "./auth.js";
import { BADGE_CLASSES, fillForm } from "./form.js";
import { el, shortId } from "./format.js";
import { renderHeatmap } from "./heatmap.js";
import { loadRecentSweeps } from "./recent.js";
import { runAsync } from "./runs.js";
import {
  clearSweepError, collectSweepRequest, fillSweepForm, renderGrid, setSweepBusy, showSweepError,
} from "./sweep-form.js";
import { drawOos, paramText, renderTopTable, renderWalkForward } from "./sweep-tables.js";

const POLL_INTERVAL_MS = 700;
const POLL_TIMEOUT_MS = 60 * 60 * 1000;
const TOP_N = 10;
const FINAL = new Set(["completed", "failed", "cancelled"]);
const OBJECTIVE_METRIC = {
  sharpe: "sharpe_ratio", total_return: "total_return_pct",
  max_drawdown: "max_drawdown_pct", profit_factor: "profit_factor",
};

let current = null;   // the detail of the sweep on screen
let sweepToken = 0;   // bumped on every sweep opened, cancels older polls
let followingId = null; // the sweep being followed or shown

const base = (id) => `/api/sweeps/${encodeURIComponent(id)}`;

export function showSweepView() {
  const tab = el("view-tab-sweep");
  if (!tab.classList.contains("active") && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(tab).show();
}

function showBacktestView() {
  const tab = el("view-tab-backtest");
  if (!tab.classList.contains("active") && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(tab).show();
}

function setSweepStatus(status, info = "") {
  const badge = el("sweep-status");
  badge.className = `badge ${BADGE_CLASSES[status] || "text-bg-secondary"}`;
  badge.textContent = status;
  badge.dataset.status = status;
  el("sweep-info").textContent = info;
}

function setProgress(detail) {
  const p = detail.progress || {};
  const total = Number(p.total) || 0;
  const done = Number(p.done) || 0;
  let pct = total > 0 ? Math.floor((done / total) * 100) : 0;
  if (detail.status === "completed") pct = 100;
  const bar = el("sweep-progress");
  bar.setAttribute("aria-valuenow", String(pct));
  bar.setAttribute("aria-valuetext", `${pct} %: ${done} of ${total} combinations`);
  const inner = bar.querySelector(".progress-bar");
  inner.style.width = `${pct}%`;
  inner.textContent = `${pct} %`;
  const running = !FINAL.has(detail.status);
  inner.classList.toggle("progress-bar-animated", running);
  inner.classList.toggle("progress-bar-striped", running);
  inner.classList.toggle("bg-danger", detail.status === "failed");
  inner.classList.toggle("bg-secondary", detail.status === "cancelled");
  el("sweep-progress-text").textContent = `${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} `
    + `combinations · shards ${p.shards_done ?? 0} of ${p.shards ?? "?"} done`;
  el("sweep-progress-block").classList.remove("d-none");
}

// Starts the sweep the form describes.
export async function submitSweep() {
  clearSweepError();
  let request;
  try {
    request = collectSweepRequest();
  } catch (err) {
    showSweepError(err);
    return;
  }
  setSweepBusy(true);
  try {
    const submitted = await api("POST", "/api/sweeps", request);
    history.replaceState(null, "", `#sweep=${encodeURIComponent(submitted.sweep_id)}`);
    loadRecentSweeps();
    await followSweep(submitted.sweep_id);
  } catch (err) {
    setSweepBusy(false);
    showSweepError(err);
  }
}

// Opens a sweep (from the recent list or a #sweep=<id> link).
export async function openSweep(id) {
  showSweepView();
  clearSweepError();
  try {
    await followSweep(id, { fillForm: true });
  } catch (err) {
    showSweepError(err);
  }
}

// `fillForm`: show the sweep's own settings in the forms (a sweep opened
// from the list, not one just submitted from them).
async function followSweep(id, { fillForm: fill = false } = {}) {
  const token = ++sweepToken;
  const isCurrent = () => token === sweepToken;
  current = null;
  followingId = id;
  el("sweep-empty").classList.add("d-none");
  el("sweep-results").classList.add("d-none");
  setSweepStatus("queued", shortId(id));
  const started = performance.now();
  for (;;) {
    const detail = await api("GET", base(id));
    if (!isCurrent()) return;
    if (fill) {
      fillSweepForm(detail);
      fill = false;
    }
    setProgress(detail);
    const label = `${detail.ticker} · ${detail.rule_type} · ${shortId(id)}`;
    setSweepStatus(detail.status, label);
    if (FINAL.has(detail.status)) {
      setSweepBusy(false);
      loadRecentSweeps();
      if (detail.status === "completed") await showResults(detail, isCurrent);
      else if (detail.status === "failed") showSweepError(new ApiError(detail.error_message || "The sweep failed."));
      return;
    }
    setSweepBusy(true);
    if (performance.now() - started > POLL_TIMEOUT_MS) {
      setSweepBusy(false);
      throw new ApiError(`Gave up following sweep ${id} after ${POLL_TIMEOUT_MS / 60000} minutes.`);
    }
    await sleep(POLL_INTERVAL_MS);
    if (!isCurrent()) return;
  }
}

export async function cancelSweep() {
  if (!followingId) return;
  try {
    await api("DELETE", base(followingId));
  } catch (err) {
    showSweepError(err);
  }
}

function fillSelect(select, values, chosen) {
  select.replaceChildren(...values.map(([value, text]) => new Option(text, value)));
  if (chosen !== undefined) select.value = chosen;
}

async function showResults(detail, isCurrent) {
  current = detail;
  const axes = Object.keys(detail.axes || {});
  // Vary first: axes with several values make the better default x and y.
  const varying = axes.filter((a) => detail.axes[a].length > 1);
  const order = [...varying, ...axes.filter((a) => !varying.includes(a))];
  fillSelect(el("hm-x"), axes.map((a) => [a, a]), order[0]);
  fillSelect(el("hm-y"), axes.map((a) => [a, a]), order[1] ?? order[0]);
  el("hm-metric").value = OBJECTIVE_METRIC[detail.objective] || "sharpe_ratio";
  const folds = Array.isArray(detail.folds) ? detail.folds : null;
  el("hm-fold-col").classList.toggle("d-none", !folds);
  if (folds) {
    fillSelect(el("hm-fold"), folds.map((f, i) => [String(i), `${i + 1}: ${f.train_start} – ${f.train_end}`]),
      String(folds.length - 1));
  } else {
    el("hm-fold").replaceChildren();
  }
  el("sweep-results").classList.remove("d-none");
  renderWalkForward(detail);
  await Promise.all([loadHeatmap(isCurrent), loadTop(isCurrent)]);
}

function foldQuery() {
  return current && Array.isArray(current.folds) ? `&fold=${encodeURIComponent(el("hm-fold").value)}` : "";
}

export async function loadHeatmap(isCurrent = () => true) {
  if (!current) return;
  const host = el("heatmap");
  const x = el("hm-x").value;
  const y = el("hm-y").value;
  const note = el("heatmap-note");
  const png = el("heatmap-png");
  if (!x || !y || x === y) {
    host.replaceChildren();
    png.classList.add("d-none");
    host.dataset.ready = "true";
    note.textContent = Object.keys(current.axes || {}).length < 2
      ? "A heatmap needs two parameters in the grid; the table below ranks the combinations."
      : "Choose two different parameters for the rows and the columns.";
    return;
  }
  const query = `x=${encodeURIComponent(x)}&y=${encodeURIComponent(y)}`
    + `&metric=${encodeURIComponent(el("hm-metric").value)}${foldQuery()}`;
  host.setAttribute("aria-busy", "true");
  host.dataset.ready = "false";
  try {
    const map = await api("GET", `${base(current.sweep_id)}/heatmap?${query}`);
    if (!isCurrent()) return;
    renderHeatmap(host, map, openCombination);
    host.dataset.query = query;
    const others = Object.entries(map.fixed || {}).filter(([k]) => k !== map.x_param && k !== map.y_param);
    note.textContent = others.length
      ? `The other parameters are held at the best combination's: ${paramText(Object.fromEntries(others))}.`
      : "";
    png.href = `${base(current.sweep_id)}/heatmap.png?${query}`;
    png.download = `${current.ticker}-${current.rule_type}-heatmap.png`.replace(/[^A-Za-z0-9._-]+/g, "_");
    // The PNG route needs the bearer token in token mode, which a link cannot send.
    png.classList.toggle("d-none", !!currentToken());
  } catch (err) {
    showSweepError(err);
  } finally {
    host.setAttribute("aria-busy", "false");
    host.dataset.ready = "true";
  }
}

export async function loadTop(isCurrent = () => true) {
  if (!current) return;
  const total = current.walk_forward && Array.isArray(current.folds) && current.folds.length
    ? Math.round(current.progress.total / current.folds.length) : current.progress.total;
  const limit = Math.max(1, Math.min(TOP_N, total || 1));
  const body = el("top-table").querySelector("tbody");
  body.dataset.ready = "false";
  try {
    const page = await api("GET", `${base(current.sweep_id)}/results?limit=${limit}${foldQuery()}`);
    if (!isCurrent()) return;
    // The parameters the sweep varies; the fixed ones only when none does.
    const axes = Object.entries(current.axes || {});
    const varying = axes.filter(([, values]) => values.length > 1).map(([name]) => name);
    renderTopTable(page, varying.length ? varying : axes.map(([name]) => name), openCombination);
  } catch (err) {
    showSweepError(err);
  } finally {
    body.dataset.ready = "true";
  }
}

// Runs one combination of the sweep on screen as a full backtest, with
// its charts: the sweep's settings (a walk-forward fold's training dates)
// in the Backtest form, then an ordinary run.
export function openCombination(params) {
  if (!current || !current.request) return;
  const preset = { ...current.request, params: { ...params } };
  if (Array.isArray(current.folds)) {
    const fold = current.folds[Number(el("hm-fold").value)];
    if (fold) {
      preset.start_date = fold.train_start;
      preset.end_date = fold.train_end;
    }
  }
  const ruleBefore = el("rule_type").value;
  fillForm(preset);
  if (el("rule_type").value !== ruleBefore) renderGrid(el("rule_type").value);
  el("charts").checked = true;
  showBacktestView();
  runAsync();
}

export function onSweepViewShown() {
  if (current && Array.isArray(current.folds)) drawOos();
}
