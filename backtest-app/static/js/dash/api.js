// The JSON API client: one error type carrying the server's message, the
// offending `field` and the HTTP status.

export class ApiError extends Error {
  constructor(message, field, status) {
    super(message);
    this.field = field || null;
    this.status = status;
  }
}

export async function api(method, url, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new ApiError(`Network error: the server could not be reached (${err.message}).`, null, 0);
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
