// Dashboard entry point (an ES module; no build step): wires the page's
// controls to the modules under dash/, one concern each:
//   api.js      JSON client and its error type
//   errors.js   the in-page error box
//   params.js   rule selector and parameter inputs from /api/rules
//   form.js     settings <-> request, busy and status indicators
//   runs.js     async (submit + poll), sync and past runs
//   results.js  a result on screen; tables.js KPI cards and trades;
//   charts.js   interactive uPlot charts
//   presets.js  saved presets; recent.js the recent runs and sweeps
//   sweep-form.js  the sweep's ranges and options; sweeps.js the Sweep
//   view (progress, heatmap.js, sweep-tables.js); opens a combination as a run

import { drawChart, resizeCharts } from "./dash/charts.js";
import { clearError, clearInvalid } from "./dash/errors.js";
import { el } from "./dash/format.js";
import { renderParams, loadRules } from "./dash/params.js";
import { deletePreset, loadPresets, onPresetSelected, savePreset } from "./dash/presets.js";
import { loadRecentRuns, loadRecentSweeps, runIdFromHash, sweepIdFromHash } from "./dash/recent.js";
import { openRun, runAsync, runSync } from "./dash/runs.js";
import { onWalkForwardToggled, renderGrid, updateCount } from "./dash/sweep-form.js";
import { resizeOos } from "./dash/sweep-tables.js";
import {
  cancelSweep, loadHeatmap, loadTop, onSweepViewShown, openSweep, showSweepView, submitSweep,
} from "./dash/sweeps.js";

function initSweeps() {
  el("sweep-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submitSweep();
  });
  el("sweep-form").addEventListener("input", (event) => {
    if (event.target.classList.contains("is-invalid")) clearInvalid(event.target);
    updateCount();
  });
  el("wf-enabled").addEventListener("change", onWalkForwardToggled);
  el("sweep-cancel-btn").addEventListener("click", cancelSweep);
  for (const id of ["hm-x", "hm-y", "hm-metric"]) el(id).addEventListener("change", () => loadHeatmap());
  el("hm-fold").addEventListener("change", () => {
    loadHeatmap();
    loadTop();
  });
  el("refresh-sweeps-btn").addEventListener("click", loadRecentSweeps);
  el("recent-sweeps").addEventListener("click", (event) => {
    const link = event.target.closest("[data-sweep-id]");
    if (link && window.location.hash === link.getAttribute("href")) {
      event.preventDefault();
      openSweep(link.dataset.sweepId);
    }
  });
  el("view-tab-sweep").addEventListener("shown.bs.tab", onSweepViewShown);
  el("view-tab-backtest").addEventListener("shown.bs.tab", () => {
    const active = document.querySelector("#results .tab-pane.active");
    resizeCharts();
    if (active) drawChart(active.id);
  });
}

function init() {
  el("backtest-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runAsync();
  });
  el("run-sync-btn").addEventListener("click", runSync);
  el("rule_type").addEventListener("change", (event) => {
    clearError();
    renderParams(event.target.value);
    renderGrid(event.target.value);
  });
  el("backtest-form").addEventListener("input", (event) => {
    if (event.target.classList.contains("is-invalid")) clearInvalid(event.target);
  });
  el("preset-select").addEventListener("change", onPresetSelected);
  el("save-preset-btn").addEventListener("click", savePreset);
  el("delete-preset-btn").addEventListener("click", deletePreset);
  el("preset-name").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      savePreset();
    }
  });
  el("refresh-runs-btn").addEventListener("click", loadRecentRuns);
  el("recent-runs").addEventListener("click", (event) => {
    // Re-clicking the run already in the URL fires no hashchange: load it here.
    const link = event.target.closest("[data-run-id]");
    if (link && window.location.hash === link.getAttribute("href")) {
      event.preventDefault();
      openRun(link.dataset.runId);
    }
  });
  window.addEventListener("hashchange", () => {
    const runId = runIdFromHash();
    if (runId) openRun(runId);
    const sweepId = sweepIdFromHash();
    if (sweepId) openSweep(sweepId);
  });
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach((tab) => {
    tab.addEventListener("shown.bs.tab", (event) => {
      drawChart(event.target.getAttribute("data-bs-target").slice(1));
    });
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      resizeCharts();
      resizeOos();
    }, 150);
  });

  initSweeps();
  loadRules().then(() => renderGrid(el("rule_type").value));
  loadPresets();
  loadRecentRuns();
  loadRecentSweeps();
  const runId = runIdFromHash();
  if (runId) openRun(runId);
  const sweepId = sweepIdFromHash();
  if (sweepId) {
    showSweepView();
    openSweep(sweepId);
  }
}

// Module scripts run after the document is parsed.
init();
