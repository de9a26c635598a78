// The sweep heatmap: GET /api/sweeps/<id>/heatmap drawn as a table of
// buttons, one per (x, y) cell, coloured on a viridis scale (the table is
// its own text alternative: headers name the values, each button says its
// combination and metric). Clicking a cell calls back with its parameters.

import { fmtNum, isNum } from "./format.js";

export const METRIC_LABELS = {
  sharpe_ratio: "Sharpe ratio",
  total_return_pct: "total return %",
  max_drawdown_pct: "max drawdown %",
  profit_factor: "profit factor",
  num_trades: "trades",
};

// Metrics where lower is better: their scale runs the other way, so that
// bright is always good.
const LOWER_IS_BETTER = new Set(["max_drawdown_pct"]);

const VIRIDIS = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];

function colorAt(t) {
  const x = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + (VIRIDIS[i + 1][k] - c) * f));
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

// Black or white, whichever contrasts more with the cell (at least 4.5:1
// on every colour of the scale).
function textOn(rgb) {
  const l = luminance(rgb);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000" : "#fff";
}

export function fmtMetric(metric, v) {
  return fmtNum(v, metric === "num_trades" ? 0 : 2);
}

const label = (v) => (typeof v === "string" ? v : JSON.stringify(v));

// Draws `map` ({x, y, z, x_param, y_param, metric, fixed}) into `host`;
// `onPick(params)` runs the clicked combination. The best cell (the fixed
// point) is outlined.
export function renderHeatmap(host, map, onPick) {
  const values = map.z.flat().filter(isNum);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 0;
  const flip = LOWER_IS_BETTER.has(map.metric);
  const scale = (v) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return flip ? 1 - t : t;
  };
  const fixed = map.fixed && typeof map.fixed === "object" ? map.fixed : {};
  const metricName = METRIC_LABELS[map.metric] || map.metric;

  const table = document.createElement("table");
  table.className = "heatmap";
  table.id = "heatmap-table";
  const caption = document.createElement("caption");
  caption.className = "caption-top";
  caption.textContent = `${metricName} by ${map.y_param} (rows) and ${map.x_param} (columns)`;
  table.append(caption);

  const head = document.createElement("tr");
  const corner = document.createElement("th");
  corner.scope = "col";
  corner.className = "hm-corner num";
  corner.textContent = `${map.y_param} \\ ${map.x_param}`;
  head.append(corner);
  for (const x of map.x) {
    const th = document.createElement("th");
    th.scope = "col";
    th.className = "num hm-xlabel";
    th.textContent = label(x);
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);

  // Rows from the largest y down, as on a chart.
  const tbody = document.createElement("tbody");
  for (let yi = map.y.length - 1; yi >= 0; yi -= 1) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.className = "num hm-ylabel";
    th.textContent = label(map.y[yi]);
    tr.append(th);
    for (let xi = 0; xi < map.x.length; xi += 1) {
      const v = map.z[yi] ? map.z[yi][xi] : null;
      const params = { ...fixed, [map.x_param]: map.x[xi], [map.y_param]: map.y[yi] };
      const td = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "hm-cell num";
      button.dataset.xIndex = String(xi);
      button.dataset.yIndex = String(yi);
      button.dataset.value = isNum(v) ? String(v) : "";
      const where = `${map.x_param} ${label(map.x[xi])}, ${map.y_param} ${label(map.y[yi])}`;
      if (isNum(v)) {
        const rgb = colorAt(scale(v));
        button.style.backgroundColor = `rgb(${rgb.join(",")})`;
        button.style.color = textOn(rgb);
        button.textContent = fmtMetric(map.metric, v);
        button.setAttribute("aria-label", `${where}: ${metricName} ${fmtMetric(map.metric, v)}; run it`);
      } else {
        button.classList.add("hm-empty");
        button.textContent = "—";
        button.setAttribute("aria-label", `${where}: no result; run it`);
      }
      const best = map.fixed && map.fixed[map.x_param] === map.x[xi] && map.fixed[map.y_param] === map.y[yi];
      if (best) {
        button.classList.add("hm-best");
        button.title = "The best combination";
      }
      button.addEventListener("click", () => onPick(params));
      td.append(button);
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.append(thead, tbody);

  host.replaceChildren(table, legend(lo, hi, flip, map.metric, values.length > 0));
}

// A gradient bar from worst to best, with the values at its ends.
function legend(lo, hi, flip, metric, any) {
  const box = document.createElement("div");
  box.className = "hm-legend";
  if (!any) {
    box.textContent = "No combination has a value for this metric.";
    return box;
  }
  const [left, right] = flip ? [hi, lo] : [lo, hi];
  const bar = document.createElement("span");
  bar.className = "hm-legend-bar";
  bar.setAttribute("aria-hidden", "true");
  const stops = VIRIDIS.map((c) => `rgb(${c.join(",")})`).join(", ");
  bar.style.background = `linear-gradient(to right, ${stops})`;
  const a = document.createElement("span");
  a.className = "num";
  a.textContent = `${fmtMetric(metric, left)} (worst)`;
  const b = document.createElement("span");
  b.className = "num";
  b.textContent = `${fmtMetric(metric, right)} (best)`;
  box.append(a, bar, b);
  return box;
}
