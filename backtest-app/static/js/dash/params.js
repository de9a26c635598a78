// The rule selector and its parameter inputs, generated from /api/rules.

import { api, ApiError } from "./api.js";
import { reportError } from "./errors.js";
import { el, isNum } from "./format.js";

const DEFAULT_RULE = "RSI";
const COMPOSITE_EXAMPLE = [
  { rule_type: "RSI", params: { period: 14, oversold: 30, overbought: 70 } },
  { rule_type: "TREND", params: {} },
];

const rules = new Map(); // rule_type -> rule metadata from /api/rules

export async function loadRules() {
  const select = el("rule_type");
  const box = el("rule-params");
  try {
    const list = await api("GET", "/api/rules");
    rules.clear();
    for (const r of list) rules.set(r.rule_type, r);
    const current = select.value || DEFAULT_RULE;
    select.replaceChildren(...list.map((r) => new Option(r.rule_type, r.rule_type)));
    select.value = rules.has(current) ? current : (rules.has(DEFAULT_RULE) ? DEFAULT_RULE : list[0].rule_type);
    renderParams(select.value);
  } catch (err) {
    box.replaceChildren(note("Rule parameters could not be loaded; the rule's defaults will be used."));
    reportError(err);
  } finally {
    box.setAttribute("aria-busy", "false");
    box.dataset.ready = "true";
  }
}

function note(text) {
  const div = document.createElement("div");
  div.className = "text-body-secondary small-note";
  div.textContent = text;
  return div;
}

// The metadata of a rule type (undefined before /api/rules answered).
export function ruleInfo(ruleType) {
  return rules.get(ruleType);
}

export function renderParams(ruleType, values = {}) {
  const rule = rules.get(ruleType);
  const box = el("rule-params");
  el("rule-description").textContent = rule ? rule.description || "" : "";
  const legend = document.createElement("legend");
  legend.className = "visually-hidden";
  legend.textContent = `${ruleType} parameters`;
  if (!rule || !rule.params || rule.params.length === 0) {
    box.replaceChildren(legend, note("This rule has no parameters."));
    return;
  }
  const row = document.createElement("div");
  row.className = "row g-2";
  for (const spec of rule.params) {
    row.append(paramControl(spec, values[spec.name]));
  }
  box.replaceChildren(legend, row);
}

function paramControl(spec, value) {
  const id = `param-${spec.name}`;
  const col = document.createElement("div");
  col.className = spec.type === "rules" ? "col-12" : "col-6";
  const label = document.createElement("label");
  label.className = "form-label";
  label.htmlFor = id;
  label.textContent = spec.name;
  let input;
  let hint = spec.description || "";
  const initial = value !== undefined ? value : spec.default;

  if (spec.type === "choice") {
    input = document.createElement("select");
    input.className = "form-select";
    for (const choice of spec.choices || []) input.append(new Option(choice, choice));
    if (initial !== undefined && initial !== null) input.value = String(initial);
  } else if (spec.type === "rules") {
    input = document.createElement("textarea");
    input.className = "form-control";
    input.spellcheck = false;
    const list = Array.isArray(initial) && initial.length > 0 ? initial : COMPOSITE_EXAMPLE;
    input.value = JSON.stringify(list, null, 2);
    hint = `${hint} JSON list of {"rule_type", "params"} objects.`.trim();
  } else {
    input = document.createElement("input");
    input.type = "number";
    input.className = "form-control num";
    if (isNum(spec.min)) input.min = String(spec.min);
    if (isNum(spec.max)) input.max = String(spec.max);
    input.step = isNum(spec.step) ? String(spec.step) : (spec.type === "int" ? "1" : "any");
    if (initial !== undefined && initial !== null) input.value = String(initial);
    if (isNum(spec.min) && isNum(spec.max)) hint = `${hint} (${spec.min} – ${spec.max})`.trim();
  }
  input.id = id;
  input.name = spec.name;
  input.dataset.param = spec.name;
  input.dataset.kind = spec.type;
  const help = document.createElement("div");
  help.className = "form-text";
  help.id = `${id}-help`;
  help.textContent = hint;
  input.setAttribute("aria-describedby", help.id);
  col.append(label, input, help);
  return col;
}

// The params object from the generated inputs; empty inputs are left to the
// rule's defaults, and values that do not parse are sent as typed so the
// server can say what is wrong with them.
export function collectParams() {
  const params = {};
  for (const input of el("rule-params").querySelectorAll("[data-param]")) {
    const name = input.dataset.param;
    const raw = input.value.trim();
    if (raw === "") continue;
    switch (input.dataset.kind) {
      case "int":
      case "float": {
        const n = Number(raw);
        params[name] = Number.isFinite(n) ? n : raw;
        break;
      }
      case "rules":
        try {
          params[name] = JSON.parse(raw);
        } catch (err) {
          throw new ApiError(`${name}: not valid JSON (${err.message}).`, `params.${name}`, 0);
        }
        break;
      default:
        params[name] = raw;
    }
  }
  return params;
}
