// The Stats tab's KPI cards and the Trades tab's table.

import { el, fmtKpi, fmtNum, fmtTimestamp, humanize, isNum, signClass } from "./format.js";

// KPI cards: [metric key, label, format, signed]. The first block is SPEC §4's.
const KPIS = [
  ["total_return_pct", "Total return", "pct", true],
  ["sharpe_ratio", "Sharpe ratio", "ratio"],
  ["max_drawdown_pct", "Max drawdown", "pct"],
  ["num_trades", "Trades", "int"],
  ["cagr", "CAGR", "pct", true],
  ["volatility", "Volatility", "pct"],
  ["win_rate", "Win rate", "pct"],
  ["avg_trade_return", "Avg trade", "pct", true],
  ["exposure_pct", "Exposure", "pct"],
  ["profit_factor", "Profit factor", "ratio"],
];
const EXTRA_KPIS = [
  ["sortino", "Sortino ratio", "ratio"],
  ["calmar", "Calmar ratio", "ratio"],
  ["buy_hold_return_pct", "Buy & hold return", "pct", true],
  ["best_trade_pct", "Best trade", "pct", true],
  ["worst_trade_pct", "Worst trade", "pct", true],
  ["expectancy", "Expectancy", "money", true],
  ["sqn", "SQN", "ratio"],
  ["max_drawdown_duration_days", "Max drawdown duration", "days"],
  ["avg_drawdown_duration_days", "Avg drawdown duration", "days"],
  ["benchmark_return_pct", "Benchmark return", "pct", true],
  ["excess_return_pct", "Excess return", "pct", true],
  ["alpha_pct", "Alpha (annual)", "pct", true],
  ["beta", "Beta", "ratio"],
  ["correlation", "Correlation", "ratio"],
  ["information_ratio", "Information ratio", "ratio"],
  ["tracking_error_pct", "Tracking error", "pct"],
];

// A trade's exit reason as the table shows it.
const EXIT_REASONS = {
  signal: "signal",
  stop_loss: "stop-loss",
  take_profit: "take-profit",
  trailing_stop: "trailing stop",
  end_of_data: "end of data",
};

export function exitReasonText(reason) {
  return EXIT_REASONS[reason] || reason || "—";
}

function kpiCard([key, label, kind, signed], value, extra) {
  const card = document.createElement("div");
  card.className = extra ? "kpi kpi-extra" : "kpi";
  card.dataset.metric = key;
  const name = document.createElement("div");
  name.className = "kpi-label";
  name.textContent = label;
  const val = document.createElement("div");
  val.className = `kpi-value num ${signed ? signClass(value) : ""}`.trim();
  val.textContent = fmtKpi(value, kind);
  card.append(name, val);
  return card;
}

export function renderKpis(metrics) {
  const cards = KPIS.map((spec) => kpiCard(spec, metrics[spec[0]], false));
  const known = new Set([...KPIS, ...EXTRA_KPIS].map((spec) => spec[0]));
  for (const spec of EXTRA_KPIS) {
    if (spec[0] in metrics) cards.push(kpiCard(spec, metrics[spec[0]], true));
  }
  for (const [key, value] of Object.entries(metrics)) {
    if (!known.has(key) && (value === null || isNum(value))) {
      cards.push(kpiCard([key, humanize(key), key.endsWith("_pct") ? "pct" : "ratio"], value, true));
    }
  }
  el("kpi-grid").replaceChildren(...cards);
}

function cell(text, className = "") {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function reasonCell(reason) {
  const td = cell(exitReasonText(reason));
  td.dataset.exitReason = reason || "";
  if (reason && reason !== "signal") td.className = "exit-stop";
  return td;
}

// Which benchmark the statistics are against.
export function renderBenchmarkNote(result) {
  const curve = Array.isArray(result.benchmark_curve) ? result.benchmark_curve : [];
  const name = result.benchmark || result.ticker || "";
  el("benchmark-note").textContent = name
    ? `Benchmark statistics against ${name} held, on the ${fmtNum(curve.length, 0)} bars both series have.`
    : "";
}

export function renderTrades(trades) {
  const rows = trades.map((t) => {
    const tr = document.createElement("tr");
    tr.className = t.pnl_abs > 0 ? "trade-profit" : (t.pnl_abs < 0 ? "trade-loss" : "");
    const pnlClass = `text-end ${signClass(t.pnl_abs)}`;
    tr.append(
      cell(String(t.trade_no)),
      cell(t.side === "SELL" ? "SELL (short)" : t.side),
      cell(fmtNum(t.size, 0), "text-end"),
      cell(fmtTimestamp(t.entry_timestamp)),
      cell(fmtNum(t.entry_price), "text-end"),
      cell(fmtNum(t.entry_fees), "text-end"),
      cell(fmtTimestamp(t.exit_timestamp)),
      cell(fmtNum(t.exit_price), "text-end"),
      cell(fmtNum(t.exit_fees), "text-end"),
      cell(fmtNum(t.pnl_abs), pnlClass),
      cell(`${fmtNum(t.pnl_pct)} %`, pnlClass),
      cell(fmtNum(t.holding_period, 0), "text-end"),
      cell(fmtNum(t.bars_held, 0), "text-end"),
      reasonCell(t.exit_reason),
      cell(`${fmtNum(t.mae_pct)} %`, `text-end ${signClass(t.mae_pct)}`),
      cell(`${fmtNum(t.mfe_pct)} %`, `text-end ${signClass(t.mfe_pct)}`),
    );
    return tr;
  });
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = cell("No trades in this range.", "text-body-secondary");
    td.colSpan = document.querySelectorAll("#trades-table thead th").length;
    tr.append(td);
    rows.push(tr);
  }
  document.querySelector("#trades-table tbody").replaceChildren(...rows);
  const wins = trades.filter((t) => t.pnl_abs > 0).length;
  el("trades-caption").textContent = trades.length
    ? `${trades.length} trades: ${wins} winning, ${trades.length - wins} losing or flat. Profits in green, losses in red.`
    : "";
}
