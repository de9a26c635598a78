// Running backtests: asynchronously (POST /api/backtests, then polling
// /status/<run_id>), synchronously (POST /run_backtest), or opening a past
// run. All three go through `track`, so only the latest run updates the page.

import { api, ApiError, sleep } from "./api.js";
import { clearError, reportError, showError } from "./errors.js";
import { collectRequest, setBusy, setStatus } from "./form.js";
import { shortId } from "./format.js";
import { loadRecentRuns } from "./recent.js";
import { renderResult } from "./results.js";

const POLL_INTERVAL_MS = 500;
const POLL_TIMEOUT_MS = 15 * 60 * 1000;

let runToken = 0; // bumped on every run, cancels older polls

// Runs `work(isCurrent)` as the page's current run: status badge first, any
// error reported in the page unless a newer run took over. Runs started from
// the form disable its buttons and refresh the recent-runs list afterwards.
async function track({ status, info = "", fromForm }, work) {
  clearError();
  const token = ++runToken;
  const isCurrent = () => token === runToken;
  setBusy(fromForm);
  setStatus(status, info);
  try {
    await work(isCurrent);
  } catch (err) {
    if (isCurrent()) {
      setStatus("failed");
      reportError(err);
    }
  } finally {
    if (fromForm) {
      if (isCurrent()) setBusy(false);
      loadRecentRuns();
    }
  }
}

// Shows a finished run: its result, or its error message.
function showOutcome(status, result, errorMessage, label) {
  setStatus(status, label);
  if (status === "failed") {
    showError(errorMessage || (result && result.error_message) || "The backtest failed.");
  } else if (result) {
    renderResult(result);
  } else {
    showError("The run completed but its result is missing.");
  }
}

// The request from the form, or null after reporting why it cannot be built.
function formRequest() {
  clearError();
  try {
    return collectRequest();
  } catch (err) {
    reportError(err);
    return null;
  }
}

export async function runAsync() {
  const request = formRequest();
  if (!request) return;
  await track({ status: "queued", fromForm: true }, async (isCurrent) => {
    const submitted = await api("POST", "/api/backtests", request);
    const statusUrl = submitted.status_url || `/status/${encodeURIComponent(submitted.run_id)}`;
    await pollRun(statusUrl, submitted.run_id, isCurrent);
  });
}

export async function runSync() {
  const request = formRequest();
  if (!request) return;
  await track({ status: "running", info: "synchronous run", fromForm: true }, async (isCurrent) => {
    const started = performance.now();
    const result = await api("POST", "/run_backtest", request);
    if (!isCurrent()) return;
    const elapsed = `${Math.round(performance.now() - started)} ms`;
    const status = result.status === "failed" ? "failed" : "completed";
    showOutcome(status, result, result.error_message, elapsed);
  });
}

// Loads a past run (from the recent-runs panel or a #run=<id> link).
export async function openRun(runId) {
  await track({ status: "queued", info: shortId(runId), fromForm: false }, (isCurrent) =>
    pollRun(`/status/${encodeURIComponent(runId)}`, runId, isCurrent));
}

// Polls GET /status/<run_id> until the run is completed or failed.
async function pollRun(statusUrl, runId, isCurrent) {
  const started = performance.now();
  for (;;) {
    if (!isCurrent()) return;
    const run = await api("GET", statusUrl);
    if (!isCurrent()) return;
    const elapsed = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    const label = `${shortId(runId || run.run_id)} · ${elapsed}`;
    if (run.status === "completed" || run.status === "failed") {
      showOutcome(run.status, run.result, run.error_message, label);
      return;
    }
    setStatus(run.status || "queued", label);
    if (performance.now() - started > POLL_TIMEOUT_MS) {
      throw new ApiError(`Gave up waiting for run ${runId} after ${POLL_TIMEOUT_MS / 60000} minutes.`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}
