// Dashboard entry point (an ES module; no build step): wires the page's
// controls to the modules under dash/, one concern each:
//   api.js      JSON client and its error type
//   errors.js   the in-page error box
//   params.js   rule selector and parameter inputs from /api/rules
//   form.js     settings <-> request, busy and status indicators
//   runs.js     async (submit + poll), sync and past runs
//   results.js  a result on screen; tables.js KPI cards and trades;
//   charts.js   interactive uPlot charts
//   presets.js  saved presets; recent.js the recent-runs panel

import { drawChart, resizeCharts } from "./dash/charts.js";
import { clearError, clearInvalid } from "./dash/errors.js";
import { el } from "./dash/format.js";
import { renderParams, loadRules } from "./dash/params.js";
import { deletePreset, loadPresets, onPresetSelected, savePreset } from "./dash/presets.js";
import { loadRecentRuns, runIdFromHash } from "./dash/recent.js";
import { openRun, runAsync, runSync } from "./dash/runs.js";

function init() {
  el("backtest-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runAsync();
  });
  el("run-sync-btn").addEventListener("click", runSync);
  el("rule_type").addEventListener("change", (event) => {
    clearError();
    renderParams(event.target.value);
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
  });
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach((tab) => {
    tab.addEventListener("shown.bs.tab", (event) => {
      drawChart(event.target.getAttribute("data-bs-target").slice(1));
    });
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeCharts, 150);
  });

  loadRules();
  loadPresets();
  loadRecentRuns();
  const runId = runIdFromHash();
  if (runId) openRun(runId);
}

// Module scripts run after the document is parsed.
init();
