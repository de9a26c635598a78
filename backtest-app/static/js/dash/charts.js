// Interactive charts (uPlot, vendored; loaded as a classic script before the
// modules run, so `uPlot` is a global). A pane's chart is built when the pane
// is first shown: a hidden pane has no width to size it by.

import { fmtNum, isNum, toEpoch, el } from "./format.js";

/* global uPlot */

let result = null;            // the result on screen
const charts = new Map();     // pane id -> uPlot instance


const COLORS = {
  line: "#4dabf7",
  cash: "#adb5bd",
  position: "#f59f00",
  total: "#4dabf7",
  drawdown: "#f85149",
  up: "#3fb950",
  down: "#f85149",
  grid: "rgba(255,255,255,0.08)",
  axis: "#ced4da",
};

const CHART_BUILDERS = {
  "pane-equity": ["equity-chart", equityChart],
  "pane-drawdown": ["drawdown-chart", drawdownChart],
  "pane-portfolio": ["portfolio-chart", portfolioChart],
  "pane-candles": ["candles-chart", candlesChart],
};

function axis(label) {
  return {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid },
    ticks: { stroke: COLORS.grid },
    font: "14px system-ui, sans-serif",
    label,
    labelFont: "14px system-ui, sans-serif",
    size: 70,
  };
}

function baseOptions(host, series, yLabel) {
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

const valueFmt = (digits) => (_u, v) => (isNum(v) ? fmtNum(v, digits) : "—");

function xs(points) {
  return points.map((p) => toEpoch(p.date));
}

function equityChart(res, host) {
  const curve = res.equity_curve || [];
  const opts = baseOptions(host, [
    { label: "Equity", stroke: COLORS.line, width: 2, value: valueFmt(2) },
  ], "Equity");
  return new uPlot(opts, [xs(curve), curve.map((p) => p.equity)], host);
}

function drawdownChart(res, host) {
  const curve = res.drawdown_curve || [];
  const opts = baseOptions(host, [
    {
      label: "Drawdown %", stroke: COLORS.drawdown, fill: "rgba(248,81,73,0.2)", width: 1.5,
      value: (_u, v) => (isNum(v) ? `${fmtNum(v, 2)} %` : "—"),
    },
  ], "Drawdown %");
  return new uPlot(opts, [xs(curve), curve.map((p) => p.drawdown_pct)], host);
}

function portfolioChart(res, host) {
  const curve = res.portfolio_curve || [];
  const opts = baseOptions(host, [
    { label: "Cash", stroke: COLORS.cash, width: 1.5, value: valueFmt(2) },
    { label: "Position", stroke: COLORS.position, width: 1.5, value: valueFmt(2) },
    { label: "Total", stroke: COLORS.total, width: 2, value: valueFmt(2) },
  ], "Value");
  return new uPlot(opts, [
    xs(curve),
    curve.map((p) => p.cash),
    curve.map((p) => p.position),
    curve.map((p) => p.total),
  ], host);
}

// OHLC candlesticks drawn in a uPlot draw hook, with ▲ buys / ▼ sells at
// their fill prices. The OHLC and signal series have no lines of their own;
// they feed the scales and the hover legend.
function candlesChart(res, host) {
  const candles = res.price_candles || [];
  const x = xs(candles);
  const byTime = new Map(x.map((t, i) => [t, i]));
  const byDay = new Map(candles.map((c, i) => [String(c.date).slice(0, 10), i]));
  const buys = new Array(candles.length).fill(null);
  const sells = new Array(candles.length).fill(null);
  for (const s of res.signals || []) {
    const exact = byTime.get(toEpoch(s.date));
    const i = exact !== undefined ? exact : byDay.get(String(s.date).slice(0, 10));
    if (i === undefined) continue;
    (s.action === "BUY" ? buys : sells)[i] = s.price;
  }
  const hidden = (label, stroke) => ({
    label, stroke, paths: () => null, points: { show: false }, value: valueFmt(2),
  });
  const opts = baseOptions(host, [
    hidden("Open", COLORS.axis),
    hidden("High", COLORS.up),
    hidden("Low", COLORS.down),
    hidden("Close", COLORS.line),
    hidden("Buy ▲", COLORS.up),
    hidden("Sell ▼", COLORS.down),
  ], "Price");
  opts.hooks = { draw: [drawCandles] };
  return new uPlot(opts, [
    x,
    candles.map((c) => c.open),
    candles.map((c) => c.high),
    candles.map((c) => c.low),
    candles.map((c) => c.close),
    buys,
    sells,
  ], host);
}

function drawCandles(u) {
  const [x, open, high, low, close, buys, sells] = u.data;
  const ctx = u.ctx;
  const [i0, i1] = [u.series[0].idxs ? u.series[0].idxs[0] : 0, u.series[0].idxs ? u.series[0].idxs[1] : x.length - 1];
  const visible = Math.max(i1 - i0 + 1, 1);
  const bodyWidth = Math.max(1, Math.min(12, (u.bbox.width / visible) * 0.6));
  const px = (i) => Math.round(u.valToPos(x[i], "x", true));
  const py = (v) => Math.round(u.valToPos(v, "y", true));

  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  for (let i = i0; i <= i1; i++) {
    if (!isNum(open[i]) || !isNum(close[i])) continue;
    const color = close[i] >= open[i] ? COLORS.up : COLORS.down;
    const cx = px(i);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx + 0.5, py(high[i]));
    ctx.lineTo(cx + 0.5, py(low[i]));
    ctx.stroke();
    const top = py(Math.max(open[i], close[i]));
    const bottom = py(Math.min(open[i], close[i]));
    ctx.fillRect(cx - bodyWidth / 2 + 0.5, top, bodyWidth, Math.max(bottom - top, 1));
  }
  const marker = Math.max(10, Math.min(14, bodyWidth + 6)) * devicePixelRatio;
  const triangle = (cx, cy, up, color) => {
    ctx.fillStyle = color;
    ctx.beginPath();
    if (up) {
      ctx.moveTo(cx, cy);
      ctx.lineTo(cx - marker / 2, cy + marker);
      ctx.lineTo(cx + marker / 2, cy + marker);
    } else {
      ctx.moveTo(cx, cy);
      ctx.lineTo(cx - marker / 2, cy - marker);
      ctx.lineTo(cx + marker / 2, cy - marker);
    }
    ctx.closePath();
    ctx.fill();
  };
  for (let i = i0; i <= i1; i++) {
    if (isNum(buys[i])) triangle(px(i), py(low[i]) + 3, true, COLORS.up);
    if (isNum(sells[i])) triangle(px(i), py(high[i]) - 3, false, COLORS.down);
  }
  ctx.restore();
}

// Builds a pane's interactive chart when the pane is first shown (a hidden
// pane has no width to size it by).
export function drawChart(paneId) {
  const builder = CHART_BUILDERS[paneId];
  if (!builder || !result || charts.has(paneId)) return;
  if (typeof uPlot === "undefined") return;
  const [hostId, build] = builder;
  const host = el(hostId);
  host.replaceChildren();
  charts.set(paneId, build(result, host));
}

// A new result: the old charts go, the new ones are drawn when shown.
export function setChartResult(next) {
  result = next;
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
}

export function resizeCharts() {
  for (const [paneId, chart] of charts) {
    const host = el(CHART_BUILDERS[paneId][0]);
    if (host.clientWidth > 0) chart.setSize({ width: host.clientWidth, height: chart.height });
  }
}

