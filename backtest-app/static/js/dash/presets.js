// Saved presets: list, load into the form, save the form, delete.

import { api } from "./api.js";
import { clearError, reportError, showError } from "./errors.js";
import { collectSettings, fillForm } from "./form.js";
import { el } from "./format.js";

const presets = new Map(); // id -> preset

function presetStatus(text) {
  el("preset-status").textContent = text;
}

export async function loadPresets(selectId) {
  const select = el("preset-select");
  try {
    const list = await api("GET", "/api/strategies");
    presets.clear();
    for (const p of list) presets.set(String(p.id), p);
    const options = list.map((p) => new Option(`${p.name} — ${p.ticker} ${p.rule_type}`, String(p.id)));
    select.replaceChildren(new Option("— choose a preset —", ""), ...options);
    select.value = selectId !== undefined && presets.has(String(selectId)) ? String(selectId) : "";
  } catch (err) {
    reportError(err);
  } finally {
    el("delete-preset-btn").disabled = select.value === "";
    select.dataset.ready = "true";
  }
}

export function onPresetSelected() {
  const id = el("preset-select").value;
  el("delete-preset-btn").disabled = id === "";
  const preset = presets.get(id);
  if (!preset) return;
  clearError();
  fillForm(preset);
  el("preset-name").value = preset.name;
  presetStatus(`Loaded preset “${preset.name}”.`);
}

export async function savePreset() {
  clearError();
  const name = el("preset-name").value.trim();
  if (!name) {
    showError("Give the preset a name.", "preset-name");
    return;
  }
  try {
    const preset = { name, ...collectSettings() };
    const saved = await api("POST", "/api/strategies", preset);
    await loadPresets(saved.id);
    presetStatus(`Saved preset “${name}”.`);
  } catch (err) {
    if (err.field === "name") err.field = "preset-name";
    reportError(err);
  }
}

export async function deletePreset() {
  clearError();
  const id = el("preset-select").value;
  const preset = presets.get(id);
  if (!preset) return;
  try {
    await api("DELETE", `/api/strategies/${encodeURIComponent(id)}`);
    await loadPresets();
    presetStatus(`Deleted preset “${preset.name}”.`);
  } catch (err) {
    reportError(err);
  }
}
