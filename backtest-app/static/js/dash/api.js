// The JSON API client: one error type carrying the server's message, the
// offending `field` and the HTTP status. A 401 asks for an API token (see
// auth.js) and retries with it.

import { askForToken, currentToken, forgetToken } from "./auth.js";

export class ApiError extends Error {
  constructor(message, field, status) {
    super(message);
    this.field = field || null;
    this.status = status;
  }
}

async function send(method, url, body) {
  const init = { method, headers: { Accept: "application/json" } };
  const token = currentToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return { response: await fetch(url, init), sentToken: token };
  } catch (err) {
    throw new ApiError(`Network error: the server could not be reached (${err.message}).`, null, 0);
  }
}

export async function api(method, url, body) {
  let { response, sentToken } = await send(method, url, body);
  // Ask until a token works or the user gives up.
  while (response.status === 401) {
    if (sentToken && sentToken === currentToken()) forgetToken();
    const reason = sentToken
      ? "The server refused the token (invalid or revoked). Enter another one."
      : "This server needs an API token for its API.";
    const entered = currentToken() || (await askForToken(reason));
    if (!entered) break;
    ({ response, sentToken } = await send(method, url, body));
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (_) {
      data = null;
    }
  }
  if (!response.ok) {
    let message = (data && typeof data.error === "string" && data.error)
      || `${method} ${url} failed: HTTP ${response.status} ${response.statusText}`.trim();
    if (data && data.run_id) message += ` (run ID ${data.run_id})`;
    throw new ApiError(message, data && data.field, response.status);
  }
  if (data === null) {
    throw new ApiError(`${method} ${url}: the server answered with something that is not JSON.`, null, response.status);
  }
  return data;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
