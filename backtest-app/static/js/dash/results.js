// Puts a result on screen: warnings, KPI cards, trades, the interactive
// chart of the visible tab, and the server's PNGs as download links.

import { drawChart, setChartResult } from "./charts.js";
import { el } from "./format.js";
import { renderBenchmarkNote, renderKpis, renderTrades } from "./tables.js";

// Download link id -> [file name suffix, the PNG data URI in a result].
const PNG_LINKS = {
  "equity-png": ["equity", (r, c) => r.chart_base64],
  "drawdown-png": ["drawdown", (r, c) => c.drawdown_curve_base64],
  "orders-png": ["orders", (r, c) => c.portfolio_orders_base64],
  "trade-pnl-png": ["trade-pnl", (r, c) => c.trade_pnl_base64],
  "cumret-png": ["cumulative-return", (r, c) => c.cumulative_return_base64],
  "candles-png": ["candles", (r, c) => c.candles_base64],
};

export function renderResult(result) {
  setChartResult(result);
  el("results-empty").classList.add("d-none");
  el("results").classList.remove("d-none");

  const warnings = Array.isArray(result.warnings) ? result.warnings : [];
  const warningsBox = el("warnings-box");
  warningsBox.textContent = warnings.length ? `Data warnings: ${warnings.join("; ")}` : "";
  warningsBox.classList.toggle("d-none", warnings.length === 0);

  renderKpis(result.metrics || {});
  renderBenchmarkNote(result);
  const charts = result.charts || {};
  const stem = `${result.ticker || "backtest"}-${result.rule_type || "run"}`.replace(/[^A-Za-z0-9._-]+/g, "_");
  for (const [id, [suffix, png]] of Object.entries(PNG_LINKS)) {
    setPngLink(el(id), png(result, charts), `${stem}-${suffix}.png`);
  }
  renderTrades(result.trades || []);

  const active = document.querySelector("#results .tab-pane.active");
  if (active) drawChart(active.id);
}

// Shows the link when the run rendered this PNG (the request's `charts`).
function setPngLink(link, src, fileName) {
  if (typeof src === "string" && src.startsWith("data:image/png;base64,")) {
    link.href = src;
    link.download = fileName;
    link.classList.remove("d-none");
  } else {
    link.removeAttribute("href");
    link.removeAttribute("download");
    link.classList.add("d-none");
  }
}
