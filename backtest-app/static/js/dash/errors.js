// The in-page error box, and marking the form control a server error names.

import { ApiError } from "./api.js";
import { el } from "./format.js";

// The form control a server `field` refers to ("ticker", "params.period", "params.rules[0].x").
function fieldElement(field) {
  if (!field) return null;
  const param = /^params\.([A-Za-z0-9_]+)/.exec(field);
  if (param) return el(`param-${param[1]}`);
  if (field === "params") return el("rule-params");
  if (field === "name") return el("preset-name");
  return el(field.replace(/[^A-Za-z0-9_-]/g, ""));
}

export function showError(message, field) {
  clearError();
  const errorBox = el("error-box");
  errorBox.textContent = message;
  errorBox.classList.remove("d-none");
  const input = fieldElement(field);
  if (input) {
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    errorBox.dataset.field = field;
  }
  errorBox.scrollIntoView({ block: "nearest" });
}

export function clearError() {
  const errorBox = el("error-box");
  errorBox.classList.add("d-none");
  errorBox.textContent = "";
  delete errorBox.dataset.field;
  document.querySelectorAll(".is-invalid").forEach((node) => clearInvalid(node));
}

export function clearInvalid(node) {
  node.classList.remove("is-invalid");
  node.removeAttribute("aria-invalid");
}

export function reportError(err) {
  if (err instanceof ApiError) {
    showError(err.message, err.field);
  } else {
    showError(`Unexpected error: ${err && err.message ? err.message : err}`);
  }
}
