// The backtest form: reading the settings into a request, filling it from a
// preset, and the busy / status indicators.

import { collectParams, renderParams } from "./params.js";
import { el } from "./format.js";

const SETTING_FIELDS = [
  "ticker", "benchmark", "start_date", "end_date", "initial_capital", "fee_rate",
  "slippage_bps", "position_size", "size_type", "direction", "timeframe", "fill",
  "stop_loss_pct", "take_profit_pct", "trailing_stop_pct",
];
const NUMERIC_SETTINGS = new Set([
  "initial_capital", "fee_rate", "slippage_bps", "position_size",
  "stop_loss_pct", "take_profit_pct", "trailing_stop_pct",
]);
// Empty means off (stops) or the run's own ticker (benchmark): a preset
// without them clears them, as it was saved without them.
const OPTIONAL_SETTINGS = new Set(["benchmark", "stop_loss_pct", "take_profit_pct", "trailing_stop_pct"]);
const SELECTS_WITH_ANY_TICKER = new Set(["ticker", "benchmark"]);

export const BADGE_CLASSES = {
  idle: "text-bg-secondary",
  queued: "text-bg-info",
  running: "text-bg-warning",
  completed: "text-bg-success",
  failed: "text-bg-danger",
};

// The settings a preset stores: every field of the form but `charts`.
export function collectSettings() {
  const out = {};
  for (const name of SETTING_FIELDS) {
    const raw = el(name).value.trim();
    if (NUMERIC_SETTINGS.has(name)) {
      if (raw === "") continue;
      const n = Number(raw);
      out[name] = Number.isFinite(n) ? n : raw;
    } else if (raw !== "" || name === "ticker") {
      out[name] = SELECTS_WITH_ANY_TICKER.has(name) ? raw.toUpperCase() : raw;
    }
  }
  out.rule_type = el("rule_type").value;
  out.params = collectParams();
  return out;
}

export function collectRequest() {
  const request = collectSettings();
  request.charts = el("charts").checked;
  return request;
}

export function fillForm(preset) {
  for (const name of SETTING_FIELDS) {
    const value = preset[name];
    if (value === undefined || value === null) {
      if (OPTIONAL_SETTINGS.has(name)) el(name).value = "";
      continue;
    }
    const text = String(value);
    const input = el(name);
    // A preset's ticker may no longer be in the data directory: keep it
    // selectable, the server says whether it can run.
    if (SELECTS_WITH_ANY_TICKER.has(name) && ![...input.options].some((o) => o.value === text)) {
      input.append(new Option(text, text));
    }
    input.value = text;
  }
  if (preset.rule_type) {
    const select = el("rule_type");
    if (![...select.options].some((o) => o.value === preset.rule_type)) {
      select.append(new Option(preset.rule_type, preset.rule_type));
    }
    select.value = preset.rule_type;
    renderParams(preset.rule_type, preset.params || {});
  }
}

export function setBusy(busy) {
  for (const id of ["run-btn", "run-sync-btn"]) {
    const button = el(id);
    button.disabled = busy;
    button.querySelector(".spinner-border").classList.toggle("d-none", !busy);
  }
}

export function setStatus(status, info = "") {
  const badge = el("status-badge");
  badge.className = `badge ${BADGE_CLASSES[status] || "text-bg-secondary"}`;
  badge.textContent = status;
  badge.dataset.status = status;
  el("run-info").textContent = info;
}
