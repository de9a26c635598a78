// Shared uPlot pieces: the dark palette, axes, base options, value
// formatters and the ▲/▼ order markers. uPlot is vendored and loaded as a
// classic script before the modules run, so it is a global.

import { fmtNum, isNum, toEpoch } from "./format.js";

/* global uPlot */

export const COLORS = {
  line: "#4dabf7",
  cash: "#adb5bd",
  position: "#f59f00",
  total: "#4dabf7",
  hold: "#adb5bd",
  drawdown: "#f85149",
  up: "#3fb950",
  down: "#f85149",
  zero: "rgba(255,255,255,0.35)",
  grid: "rgba(255,255,255,0.08)",
  axis: "#ced4da",
};

function axis(label) {
  return {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid },
    ticks: { stroke: COLORS.grid },
    font: "14px system-ui, sans-serif",
    label,
    labelFont: "14px system-ui, sans-serif",
    size: 84,
  };
}

export function baseOptions(host, series, yLabel) {
  return {
    width: Math.max(host.clientWidth, 300),
    height: host.classList.contains("uplot-tall") ? 420 : 320,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    cursor: { drag: { x: true, y: false }, focus: { prox: 30 } },
    scales: { x: { time: true } },
    axes: [
      { ...axis(), size: 50 },
      axis(yLabel),
    ],
    series: [{ label: "Date" }, ...series],
  };
}

export const valueFmt = (digits) => (_u, v) => (isNum(v) ? fmtNum(v, digits) : "—");
export const pctFmt = (_u, v) => (isNum(v) ? `${fmtNum(v, 2)} %` : "—");

// A series that feeds the scales and the hover legend but draws nothing
// itself (a draw hook paints it).
export const hidden = (label, stroke, value = valueFmt(2)) => ({
  label, stroke, paths: () => null, points: { show: false }, value,
});

export function xs(points) {
  return points.map((p) => toEpoch(p.date));
}

// Buy and sell fill prices per bar of `bars` (null where nothing filled),
// and the exit reason of an order that closed a trade (null elsewhere); a
// signal matches its bar by timestamp, else by day.
export function ordersByBar(bars, x, signals) {
  const byTime = new Map(x.map((t, i) => [t, i]));
  const byDay = new Map(bars.map((c, i) => [String(c.date).slice(0, 10), i]));
  const buys = new Array(bars.length).fill(null);
  const sells = new Array(bars.length).fill(null);
  const reasons = new Array(bars.length).fill(null);
  for (const s of signals || []) {
    const exact = byTime.get(toEpoch(s.date));
    const i = exact !== undefined ? exact : byDay.get(String(s.date).slice(0, 10));
    if (i === undefined) continue;
    (s.action === "BUY" ? buys : sells)[i] = s.price;
    if (s.exit_reason) reasons[i] = { reason: s.exit_reason, buy: s.action === "BUY" };
  }
  return { buys, sells, reasons };
}

// The label beside an exit marker made by a stop, and its colour (a signal's
// or the last bar's exit has none).
export const STOP_LABELS = {
  stop_loss: ["SL", "#f85149"],
  take_profit: ["TP", "#3fb950"],
  trailing_stop: ["TS", "#d29922"],
};

// A hover-legend series naming the exit reason at the cursor's bar; it
// draws nothing (the draw hook labels the markers).
export function exitReasonSeries(reasons) {
  return hidden("Exit", COLORS.axis, (_u, _v, _si, idx) => {
    const r = idx === null || idx === undefined ? null : reasons[idx];
    return r ? r.reason.replace(/_/g, " ") : "—";
  });
}

// Draws `SL`, `TP` or `TS` above a sell marker whose tip is at canvas
// (cx, cy), or below a buy marker.
export function stopLabel(ctx, cx, cy, entry, size) {
  const label = entry && STOP_LABELS[entry.reason];
  if (!label) return;
  const [text, color] = label;
  ctx.fillStyle = color;
  ctx.font = `${Math.round(13 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.textBaseline = entry.buy ? "top" : "bottom";
  ctx.fillText(text, cx, entry.buy ? cy + size + 2 : cy - size - 2);
}

// The visible index range of a chart.
export function visibleRange(u) {
  const idxs = u.series[0].idxs;
  return idxs ? [idxs[0], idxs[1]] : [0, u.data[0].length - 1];
}

// Runs `paint(ctx)` clipped to the plotting area.
export function clipped(u, paint) {
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  paint(ctx);
  ctx.restore();
}

// A ▲ (buy, tip at the top) or ▼ (sell, tip at the bottom) with its tip at
// canvas point (cx, cy).
export function triangle(ctx, cx, cy, up, color, size) {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  const dy = up ? size : -size;
  ctx.lineTo(cx - size / 2, cy + dy);
  ctx.lineTo(cx + size / 2, cy + dy);
  ctx.closePath();
  ctx.fill();
}

// A horizontal line at y = 0, for return and PnL charts.
export function drawZeroLine(u) {
  const y = Math.round(u.valToPos(0, "y", true)) + 0.5;
  if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
  clipped(u, (ctx) => {
    ctx.strokeStyle = COLORS.zero;
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
  });
}
