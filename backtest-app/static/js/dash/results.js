// Puts a result on screen: warnings, KPI cards, server images, trades, and
// the interactive chart of the visible tab.

import { drawChart, setChartResult } from "./charts.js";
import { el } from "./format.js";
import { renderKpis, renderTrades } from "./tables.js";

export function renderResult(result) {
  setChartResult(result);
  el("results-empty").classList.add("d-none");
  el("results").classList.remove("d-none");

  const warnings = Array.isArray(result.warnings) ? result.warnings : [];
  const warningsBox = el("warnings-box");
  warningsBox.textContent = warnings.length ? `Data warnings: ${warnings.join("; ")}` : "";
  warningsBox.classList.toggle("d-none", warnings.length === 0);

  renderKpis(result.metrics || {});
  const charts = result.charts || {};
  setImage("equity-img", result.chart_base64);
  setImage("drawdown-img", charts.drawdown_curve_base64);
  setImage("orders-img", charts.portfolio_orders_base64);
  setImage("trade-pnl-img", charts.trade_pnl_base64);
  setImage("cumret-img", charts.cumulative_return_base64);
  setImage("candles-img", charts.candles_base64);
  renderTrades(result.trades || []);

  const active = document.querySelector("#results .tab-pane.active");
  if (active) drawChart(active.id);
}

function setImage(id, src) {
  const img = el(id);
  const figure = img.closest("figure");
  if (typeof src === "string" && src.startsWith("data:image/")) {
    img.src = src;
    figure.classList.remove("d-none");
  } else {
    img.removeAttribute("src");
    figure.classList.add("d-none");
  }
}
