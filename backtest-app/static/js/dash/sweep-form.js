// The sweep form: one range per parameter of the selected rule (from
// /api/rules: its default, bounds and step), the objective, shards, random
// search and walk-forward; reading it into a POST /api/sweeps body; and the
// sweep's own error box, which marks the control a 400's `field` names.

import { ApiError } from "./api.js";
import { clearInvalid } from "./errors.js";
import { collectSettings, fillForm } from "./form.js";
import { el, isNum } from "./format.js";
import { ruleInfo } from "./params.js";

const WF_INPUTS = ["wf-train", "wf-test", "wf-step", "wf-anchored"];

// The grid rows for `ruleType`; every numeric parameter starts held at its
// default, a choice at its default, and a nested rule list is left out.
export function renderGrid(ruleType) {
  const rule = ruleInfo(ruleType);
  el("sweep-rule").textContent = ruleType;
  const body = el("sweep-grid").querySelector("tbody");
  const rows = [];
  for (const spec of (rule && rule.params) || []) rows.push(gridRow(spec));
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 5;
    td.className = "text-body-secondary";
    td.textContent = rule ? "This rule has no parameters to sweep." : "Rule parameters are not loaded yet.";
    tr.append(td);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  el("sweep-grid").dataset.ready = rule ? "true" : "false";
  updateCount();
}

function numberInput(spec, part, value) {
  const input = document.createElement("input");
  input.type = "number";
  input.className = "form-control form-control-sm num";
  input.id = `sweep-${spec.name}-${part}`;
  input.dataset.param = spec.name;
  input.dataset.part = part;
  input.setAttribute("aria-label", `${spec.name} ${part}`);
  if (part !== "step") {
    if (isNum(spec.min)) input.min = String(spec.min);
    if (isNum(spec.max)) input.max = String(spec.max);
  } else {
    input.min = "0";
  }
  input.step = spec.type === "int" ? "1" : "any";
  if (value !== undefined && value !== null) input.value = String(value);
  return input;
}

function cell(child, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (child) td.append(child);
  return td;
}

function gridRow(spec) {
  const tr = document.createElement("tr");
  tr.dataset.param = spec.name;
  tr.dataset.kind = spec.type;
  const th = document.createElement("th");
  th.scope = "row";
  th.className = "num";
  th.textContent = spec.name;
  if (isNum(spec.min) && isNum(spec.max)) {
    const range = document.createElement("span");
    range.className = "d-block text-body-secondary small-note";
    range.textContent = `${spec.min} – ${spec.max}`;
    th.append(range);
  }
  tr.append(th);
  if (spec.type === "int" || spec.type === "float") {
    const step = isNum(spec.step) ? spec.step : (spec.type === "int" ? 1 : 0.5);
    tr.append(
      cell(numberInput(spec, "from", spec.default)),
      cell(numberInput(spec, "to")),
      cell(numberInput(spec, "step", step)),
    );
    tr.querySelector("[data-part='to']").placeholder = "fixed";
  } else if (spec.type === "choice") {
    const input = document.createElement("input");
    input.type = "text";
    input.className = "form-control form-control-sm num";
    input.id = `sweep-${spec.name}-list`;
    input.dataset.param = spec.name;
    input.dataset.part = "list";
    input.value = spec.default === undefined || spec.default === null ? "" : String(spec.default);
    input.setAttribute("aria-label", `${spec.name} values, comma-separated (${(spec.choices || []).join(", ")})`);
    input.placeholder = (spec.choices || []).join(", ");
    const td = cell(input);
    td.colSpan = 3;
    tr.append(td);
  } else {
    const td = cell(null, "text-body-secondary");
    td.colSpan = 3;
    td.textContent = "held at its default";
    tr.append(td);
  }
  tr.append(cell(null, "text-end num sweep-values"));
  return tr;
}

// The values of one grid row: a list, a {start, stop, step} range, or null
// when the row is left out (a nested rule list). Values that do not parse
// are sent as typed, for the server to name.
function rowSpec(tr) {
  const value = (part) => {
    const input = tr.querySelector(`[data-part='${part}']`);
    return input ? input.value.trim() : "";
  };
  const num = (text) => (Number.isFinite(Number(text)) ? Number(text) : text);
  switch (tr.dataset.kind) {
    case "int":
    case "float": {
      const from = value("from");
      const to = value("to");
      if (from === "") return null;
      if (to === "" || to === from) return [num(from)];
      return { start: num(from), stop: num(to), step: num(value("step") || "1") };
    }
    case "choice": {
      const list = value("list").split(",").map((v) => v.trim()).filter((v) => v !== "");
      return list.length ? list : null;
    }
    default:
      return null;
  }
}

// How many values a row spec has (null when it cannot tell).
function countOf(spec) {
  if (spec === null) return 1;
  if (Array.isArray(spec)) return spec.length;
  const { start, stop, step } = spec;
  if (![start, stop, step].every(isNum) || step <= 0 || stop < start) return null;
  return Math.floor((stop - start) / step + 1e-9) + 1;
}

export function collectGrid() {
  const grid = {};
  for (const tr of el("sweep-grid").querySelectorAll("tbody tr[data-param]")) {
    const spec = rowSpec(tr);
    if (spec !== null) grid[tr.dataset.param] = spec;
  }
  return grid;
}

// Each row's number of values, and the total, as the form is edited.
export function updateCount() {
  let total = 1;
  for (const tr of el("sweep-grid").querySelectorAll("tbody tr[data-param]")) {
    const n = countOf(rowSpec(tr));
    const out = tr.querySelector(".sweep-values");
    out.textContent = n === null ? "?" : String(n);
    total = n === null || total === null ? null : total * n;
  }
  const samples = Number(el("sweep-samples").value);
  let text = total === null ? "Check the ranges: a step must be positive and “to” at least “from”."
    : `${total.toLocaleString("en-US")} combination${total === 1 ? "" : "s"} in the grid`;
  if (total !== null && el("sweep-samples").value.trim() !== "" && Number.isFinite(samples)) {
    text += `, ${samples.toLocaleString("en-US")} drawn at random`;
  }
  if (el("wf-enabled").checked) text += ", evaluated on every walk-forward fold";
  el("sweep-count").textContent = `${text}.`;
}

export function onWalkForwardToggled() {
  const on = el("wf-enabled").checked;
  for (const id of WF_INPUTS) el(id).disabled = !on;
  updateCount();
}

const optionalInt = (id) => {
  const raw = el(id).value.trim();
  if (raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
};

// The POST /api/sweeps body: the Backtest form's settings without params,
// plus the grid and the sweep options.
export function collectSweepRequest() {
  const request = collectSettings();
  delete request.params;
  request.charts = false;
  request.grid = collectGrid();
  request.objective = el("sweep-objective").value;
  const shards = optionalInt("sweep-shards");
  if (shards !== undefined) request.shards = shards;
  const samples = optionalInt("sweep-samples");
  if (samples !== undefined) {
    request.search = { random: { samples, seed: optionalInt("sweep-seed") ?? 0 } };
  }
  if (el("wf-enabled").checked) {
    const wf = { train_bars: optionalInt("wf-train"), test_bars: optionalInt("wf-test") };
    const step = optionalInt("wf-step");
    if (step !== undefined) wf.step_bars = step;
    wf.anchored = el("wf-anchored").checked;
    request.walk_forward = wf;
  }
  return request;
}

// The control a sweep's 400 `field` names: a grid row, a sweep option, or
// one of the Backtest form's settings.
function sweepField(field) {
  if (!field) return null;
  const grid = /^grid\.([A-Za-z0-9_]+)/.exec(field);
  if (grid) return el(`sweep-${grid[1]}-from`) || el(`sweep-${grid[1]}-list`);
  if (field === "grid") return el("sweep-grid");
  if (field === "objective") return el("sweep-objective");
  if (field === "shards") return el("sweep-shards");
  if (field.startsWith("search")) return el("sweep-samples");
  if (field === "walk_forward.test_bars") return el("wf-test");
  if (field === "walk_forward.step_bars") return el("wf-step");
  if (field.startsWith("walk_forward")) return el("wf-train");
  return el(field.replace(/[^A-Za-z0-9_-]/g, ""));
}

export function showSweepError(err) {
  clearSweepError();
  const box = el("sweep-error-box");
  const message = err instanceof ApiError ? err.message
    : `Unexpected error: ${err && err.message ? err.message : err}`;
  const field = err instanceof ApiError ? err.field : null;
  // Name the field unless the message already does.
  const named = !field || message.includes(field.split(".").pop());
  box.textContent = named ? message : `${field}: ${message}`;
  box.classList.remove("d-none");
  const input = sweepField(field);
  if (input) {
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    box.dataset.field = field;
  }
  box.scrollIntoView({ block: "nearest" });
}

export function clearSweepError() {
  const box = el("sweep-error-box");
  box.classList.add("d-none");
  box.textContent = "";
  delete box.dataset.field;
  document.querySelectorAll(".is-invalid").forEach((node) => clearInvalid(node));
}

export function setSweepBusy(busy) {
  const button = el("sweep-btn");
  button.disabled = busy;
  button.querySelector(".spinner-border").classList.toggle("d-none", !busy);
  el("sweep-cancel-btn").disabled = !busy;
}

// The form as a stored sweep was submitted (`detail` of GET
// /api/sweeps/<id>), so that a sweep opened from the recent list can be
// edited and run again. A list that is not an evenly spaced range is shown
// as a range from its first to its last value.
export function fillSweepForm(detail) {
  if (!detail || !detail.request) return;
  fillForm({ ...detail.request, params: {} });
  renderGrid(detail.request.rule_type);
  for (const [name, spec] of Object.entries(detail.grid || {})) {
    const input = (part) => el(`sweep-${name}-${part}`);
    if (input("list")) {
      input("list").value = (Array.isArray(spec) ? spec : []).join(", ");
    } else if (input("from")) {
      const range = asRange(spec);
      if (!range) continue;
      input("from").value = String(range.start);
      input("to").value = range.stop === range.start ? "" : String(range.stop);
      if (range.step !== null) input("step").value = String(range.step);
    }
  }
  el("sweep-objective").value = detail.objective;
  el("sweep-shards").value = detail.progress ? String(detail.progress.shards) : "";
  const random = detail.search && detail.search.random;
  el("sweep-samples").value = random ? String(random.samples) : "";
  el("sweep-seed").value = random ? String(random.seed) : "";
  const wf = detail.walk_forward;
  el("wf-enabled").checked = Boolean(wf);
  if (wf) {
    el("wf-train").value = String(wf.train_bars);
    el("wf-test").value = String(wf.test_bars);
    el("wf-step").value = String(wf.step_bars);
    el("wf-anchored").checked = Boolean(wf.anchored);
  }
  onWalkForwardToggled();
}

function asRange(spec) {
  if (spec && !Array.isArray(spec) && isNum(spec.start)) return spec;
  if (!Array.isArray(spec) || spec.length === 0 || !spec.every(isNum)) return null;
  const step = spec.length > 1 ? spec[1] - spec[0] : null;
  return { start: spec[0], stop: spec[spec.length - 1], step };
}
