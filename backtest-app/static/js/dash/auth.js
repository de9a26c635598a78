// The API token (AUTH_MODE=token): asked for in a dialog when the API
// answers 401, kept in sessionStorage (this tab's session only, never a
// cookie or localStorage) and sent as `Authorization: Bearer`.

const STORAGE_KEY = "backtest.apiToken";

export function storedToken() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch (_) {
    return null;
  }
}

function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(STORAGE_KEY, token);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch (_) {
    // Storage disabled: the token lives until the page is reloaded.
  }
  memoryToken = token || null;
}

let memoryToken = null;

export function currentToken() {
  return storedToken() || memoryToken;
}

// One dialog at a time: the requests that failed together wait for the
// same answer.
let pending = null;

// Resolves to the token entered, or null when the user cancels.
export function askForToken(reason) {
  if (pending) return pending;
  pending = new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog");
    const form = document.getElementById("token-form");
    const input = document.getElementById("token-input");
    const cancel = document.getElementById("token-cancel-btn");
    if (!dialog || !form || !input || !window.bootstrap) {
      resolve(null);
      return;
    }
    document.getElementById("token-dialog-reason").textContent = reason;
    input.value = "";
    const modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
    let answer = null;
    const onSubmit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      answer = token;
      modal.hide();
    };
    const onCancel = () => modal.hide();
    const onHidden = () => {
      form.removeEventListener("submit", onSubmit);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("hidden.bs.modal", onHidden);
      if (answer) storeToken(answer);
      resolve(answer);
    };
    form.addEventListener("submit", onSubmit);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("hidden.bs.modal", onHidden);
    dialog.addEventListener("shown.bs.modal", () => input.focus(), { once: true });
    modal.show();
  }).finally(() => {
    pending = null;
  });
  return pending;
}

// The server refused the token sent: forget it.
export function forgetToken() {
  storeToken(null);
}
