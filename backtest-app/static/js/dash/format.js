// Number, date and label formatting shared by the result views.

export const isNum = (v) => typeof v === "number" && Number.isFinite(v);

export function fmtNum(v, digits = 2) {
  if (!isNum(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtKpi(v, kind) {
  if (!isNum(v)) return "—";
  switch (kind) {
    case "pct": return `${fmtNum(v, 2)} %`;
    case "int": return fmtNum(v, 0);
    case "days": return `${fmtNum(v, 0)} d`;
    case "money": return fmtNum(v, 2);
    default: return fmtNum(v, 2);
  }
}

export function signClass(v) {
  if (!isNum(v) || v === 0) return "";
  return v > 0 ? "profit" : "loss";
}

export function humanize(key) {
  const s = key.replace(/_pct$/, "").replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function fmtTimestamp(ts) {
  if (typeof ts !== "string") return "—";
  // Daily bars are stamped at the US close (21:00 UTC): the date says it all.
  return ts.replace(/T21:00:00(\.0+)?(\+00:00|Z)$/, "").replace("T", " ").replace(/\+00:00$|Z$/, "Z");
}

// Dates and timestamps as unix seconds for uPlot.
export function toEpoch(date) {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? null : ms / 1000;
}

export function shortId(id) {
  return typeof id === "string" ? id.slice(0, 8) : "";
}

export const el = (id) => document.getElementById(id);
