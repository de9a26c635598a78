// The sweep's tables: the best combinations (a results page, best first)
// and a walk-forward's folds, with its out-of-sample equity curve (uPlot).

import { COLORS, baseOptions, valueFmt, xs } from "./chart-base.js";
import { el, fmtNum, isNum, signClass } from "./format.js";
import { METRIC_LABELS, fmtMetric } from "./heatmap.js";

/* global uPlot */

const METRIC_COLUMNS = ["total_return_pct", "sharpe_ratio", "max_drawdown_pct", "profit_factor", "num_trades"];

export const paramText = (params) => Object.entries(params || {})
  .map(([k, v]) => `${k} ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");

function th(text, className) {
  const cell = document.createElement("th");
  cell.scope = "col";
  if (className) cell.className = className;
  cell.textContent = text;
  return cell;
}

function td(text, className) {
  const cell = document.createElement("td");
  if (className) cell.className = className;
  cell.textContent = text;
  return cell;
}

// `page` is a GET .../results answer; `names` the grid's parameters;
// `onPick(params)` runs a row's combination.
export function renderTopTable(page, names, onPick) {
  const table = el("top-table");
  const head = document.createElement("tr");
  head.append(th("#", "text-end"), ...names.map((n) => th(n, "text-end num")));
  head.append(...METRIC_COLUMNS.map((m) => th(METRIC_LABELS[m], "text-end")), th("Run", "text-end"));
  table.querySelector("thead").replaceChildren(head);
  const offset = (page.page - 1) * page.limit;
  const rows = page.results.map((r, i) => {
    const tr = document.createElement("tr");
    tr.className = "top-row";
    tr.dataset.gridIndex = String(r.grid_index);
    tr.dataset.params = JSON.stringify(r.params);
    tr.append(td(String(offset + i + 1), "text-end num"));
    for (const n of names) {
      const v = r.params[n];
      tr.append(td(v === undefined ? "—" : (typeof v === "string" ? v : JSON.stringify(v)), "text-end num"));
    }
    for (const m of METRIC_COLUMNS) {
      const v = r.metrics[m];
      const cell = td(fmtMetric(m, v), "text-end num");
      cell.dataset.metric = m;
      if (m === "total_return_pct") cell.classList.add(...[signClass(v)].filter(Boolean));
      tr.append(cell);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-primary";
    button.textContent = "Run";
    button.setAttribute("aria-label", `Run ${paramText(r.params)} in full`);
    const last = td("", "text-end");
    last.append(button);
    tr.append(last);
    tr.addEventListener("click", () => onPick(r.params));
    return tr;
  });
  table.querySelector("tbody").replaceChildren(...rows);
  const sortName = METRIC_LABELS[page.sort] || page.sort;
  el("top-caption").textContent = `The ${rows.length} best of ${page.total} combinations by ${sortName}`
    + `${page.order === "asc" ? " (lowest first)" : ""}; click a row to run it in full.`;
}

// A window's first and last date, one above the other.
function dates(first, last) {
  const cell = td(`${first} –`, "num");
  const end = document.createElement("span");
  end.className = "d-block";
  end.textContent = last;
  cell.append(end);
  return cell;
}

let oosChart = null;
let oosCurve = null;

// A walk-forward's folds, efficiency and out-of-sample curve.
export function renderWalkForward(detail) {
  const block = el("wf-block");
  const folds = Array.isArray(detail.folds) ? detail.folds : null;
  block.classList.toggle("d-none", !folds);
  if (!folds) {
    destroyOos();
    return;
  }
  const objective = {
    sharpe: "sharpe_ratio", total_return: "total_return_pct",
    max_drawdown: "max_drawdown_pct", profit_factor: "profit_factor",
  }[detail.objective] || "sharpe_ratio";
  // Only the parameters the sweep varies (all of them when none does).
  const axes = Object.entries(detail.axes || {});
  const varying = new Set(axes.filter(([, v]) => v.length > 1).map(([n]) => n));
  const shownParams = (params) => Object.fromEntries(Object.entries(params || {})
    .filter(([k]) => varying.size === 0 || varying.has(k)));
  const rows = folds.map((f, i) => {
    const tr = document.createElement("tr");
    tr.className = "fold-row";
    const ins = f.in_sample || {};
    const oos = f.out_of_sample || {};
    tr.append(
      td(String(i + 1), "num"),
      dates(f.train_start, f.train_end),
      dates(f.test_start, f.test_end),
      td(paramText(shownParams(f.best_params)), "num fold-params"),
      td(fmtMetric(objective, ins[objective]), "text-end num"),
      td(fmtNum(oos.total_return_pct), `text-end num ${signClass(oos.total_return_pct)}`.trim()),
      td(fmtNum(oos.sharpe_ratio), "text-end num"),
      td(fmtNum(oos.max_drawdown_pct), "text-end num"),
      td(fmtNum(oos.num_trades, 0), "text-end num"),
    );
    return tr;
  });
  el("fold-table").querySelector("tbody").replaceChildren(...rows);
  el("fold-objective-th").textContent = `Train ${METRIC_LABELS[objective]}`;
  const eff = detail.efficiency;
  el("wf-summary").textContent = `${folds.length} fold${folds.length === 1 ? "" : "s"}; `
    + `walk-forward efficiency ${isNum(eff) ? fmtNum(eff) : "—"} (the mean test objective over the mean training objective).`;
  oosCurve = Array.isArray(detail.oos_equity_curve) ? detail.oos_equity_curve : [];
  drawOos();
}

function destroyOos() {
  if (oosChart) oosChart.destroy();
  oosChart = null;
  el("oos-chart").replaceChildren();
}

export function drawOos() {
  destroyOos();
  const host = el("oos-chart");
  if (!oosCurve || oosCurve.length === 0 || typeof uPlot === "undefined" || host.clientWidth === 0) return;
  const opts = baseOptions(host, [
    { label: "Out-of-sample equity", stroke: COLORS.line, width: 2, value: valueFmt(2) },
  ], "Equity");
  oosChart = new uPlot(opts, [xs(oosCurve), oosCurve.map((p) => p.equity)], host);
}

export function resizeOos() {
  const host = el("oos-chart");
  if (oosChart && host.clientWidth > 0) oosChart.setSize({ width: host.clientWidth, height: oosChart.height });
  else if (!oosChart && oosCurve && oosCurve.length) drawOos();
}
