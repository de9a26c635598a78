// Interactive charts (uPlot), one per chart on the page: each is built when
// its pane is first shown (a hidden pane has no width to size it by) and
// rebuilt for every new result. The server's PNGs are offered as downloads
// beside them, never drawn a second time.

import { COLORS, baseOptions, drawZeroLine, pctFmt, valueFmt, xs } from "./chart-base.js";
import { el, isNum, toEpoch } from "./format.js";
import { candlesChart, ordersChart } from "./price-charts.js";

/* global uPlot */

let result = null;          // the result on screen
const charts = new Map();   // host element id -> uPlot instance

// Pane id -> [host element id, builder] for each chart in the pane.
const CHART_BUILDERS = {
  "pane-equity": [["equity-chart", equityChart]],
  "pane-drawdown": [["drawdown-chart", drawdownChart]],
  "pane-portfolio": [
    ["portfolio-chart", portfolioChart],
    ["orders-chart", ordersChart],
    ["trade-pnl-chart", tradePnlChart],
    ["cumret-chart", cumulativeReturnChart],
  ],
  "pane-candles": [["candles-chart", candlesChart]],
};

// The equity with the benchmark held from the first bar both series have,
// scaled to the initial capital (the result's benchmark_curve, on its dates).
function equityChart(res, host) {
  const curve = res.equity_curve || [];
  const bench = new Map((res.benchmark_curve || []).map((p) => [p.date, p.equity]));
  const name = res.benchmark || res.ticker || "";
  const opts = baseOptions(host, [
    { label: "Equity", stroke: COLORS.line, width: 2, value: valueFmt(2) },
    {
      label: `Benchmark ${name} (held)`, stroke: COLORS.hold, width: 1.5, dash: [6, 4],
      spanGaps: true, value: valueFmt(2),
    },
  ], "Equity");
  return new uPlot(opts, [
    xs(curve),
    curve.map((p) => p.equity),
    curve.map((p) => (bench.has(p.date) ? bench.get(p.date) : null)),
  ], host);
}

function drawdownChart(res, host) {
  const curve = res.drawdown_curve || [];
  const opts = baseOptions(host, [
    { label: "Drawdown %", stroke: COLORS.drawdown, fill: "rgba(248,81,73,0.2)", width: 1.5, value: pctFmt },
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

// Each trade's PnL % as a point at its exit bar (green profit, red loss or
// break-even, as the server chart), with a zero line.
function tradePnlChart(res, host) {
  const bars = res.price_candles || [];
  const x = xs(bars);
  const byTime = new Map(x.map((t, i) => [t, i]));
  const byDay = new Map(bars.map((c, i) => [String(c.date).slice(0, 10), i]));
  const profit = new Array(x.length).fill(null);
  const loss = new Array(x.length).fill(null);
  for (const t of res.trades || []) {
    const exact = byTime.get(toEpoch(t.exit_timestamp));
    const i = exact !== undefined ? exact : byDay.get(String(t.exit_timestamp).slice(0, 10));
    if (i === undefined || !isNum(t.pnl_pct)) continue;
    (t.pnl_abs > 0 ? profit : loss)[i] = t.pnl_pct;
  }
  const dots = (label, color) => ({
    label, stroke: color, fill: color, paths: () => null, value: pctFmt,
    points: { show: true, size: 9, stroke: color, fill: color },
  });
  const opts = baseOptions(host, [dots("Profit", COLORS.up), dots("Loss", COLORS.down)], "PnL %");
  opts.scales.y = { range: (_u, min, max) => zeroRange(min, max) };
  opts.hooks = { draw: [drawZeroLine] };
  return new uPlot(opts, [x, profit, loss], host);
}

// Cumulative return % of the strategy (equity against the initial capital)
// and of buy & hold (close against the first close), as the server chart.
function cumulativeReturnChart(res, host) {
  const curve = res.equity_curve || [];
  const bars = res.price_candles || [];
  const capital = initialCapital(res);
  const firstClose = bars.length ? bars[0].close : null;
  const opts = baseOptions(host, [
    { label: "Strategy", stroke: COLORS.line, width: 2, value: pctFmt },
    { label: "Buy & hold", stroke: COLORS.hold, width: 1.5, dash: [6, 4], value: pctFmt },
  ], "Return %");
  opts.scales.y = { range: (_u, min, max) => zeroRange(min, max) };
  opts.hooks = { draw: [drawZeroLine] };
  const pct = (v, base) => (isNum(v) && isNum(base) && base !== 0 ? (v / base - 1) * 100 : null);
  return new uPlot(opts, [
    xs(curve),
    curve.map((p) => pct(p.equity, capital)),
    curve.map((_p, i) => pct(bars[i] && bars[i].close, firstClose)),
  ], host);
}

// The run's initial capital: the final equity over (1 + total return); the
// result does not repeat the request's settings. Falls back to the first bar.
function initialCapital(res) {
  const curve = res.equity_curve || [];
  const last = curve.length ? curve[curve.length - 1].equity : null;
  const total = res.metrics ? res.metrics.total_return_pct : null;
  if (isNum(last) && isNum(total) && total > -100) return last / (1 + total / 100);
  return curve.length ? curve[0].equity : null;
}

// A y range that always shows zero, padded by 10 %.
function zeroRange(min, max) {
  const lo = Math.min(isNum(min) ? min : 0, 0);
  const hi = Math.max(isNum(max) ? max : 0, 0);
  const pad = (hi - lo) * 0.1 || 1;
  return [lo - pad, hi + pad];
}

// Draws the interactive charts of a pane that is shown.
export function drawChart(paneId) {
  const builders = CHART_BUILDERS[paneId];
  if (!builders || !result || typeof uPlot === "undefined") return;
  for (const [hostId, build] of builders) {
    if (charts.has(hostId)) continue;
    const host = el(hostId);
    host.replaceChildren();
    charts.set(hostId, build(result, host));
  }
}

// A new result: the old charts go, the new ones are drawn when shown.
export function setChartResult(next) {
  result = next;
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
}

export function resizeCharts() {
  for (const [hostId, chart] of charts) {
    const host = el(hostId);
    if (host.clientWidth > 0) chart.setSize({ width: host.clientWidth, height: chart.height });
  }
}
