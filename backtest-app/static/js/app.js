// Dashboard: builds the backtest form from /api/rules, runs backtests
// (asynchronously with polling, or synchronously), renders the result tabs,
// manages presets and lists recent runs. Plain JS, no framework.
"use strict";

(() => {
  const POLL_INTERVAL_MS = 500;
  const POLL_TIMEOUT_MS = 15 * 60 * 1000;
  const DEFAULT_RULE = "RSI";
  const SETTING_FIELDS = [
    "ticker", "start_date", "end_date", "initial_capital", "fee_rate",
    "slippage_bps", "position_size", "size_type", "direction", "timeframe", "fill",
  ];
  const NUMERIC_SETTINGS = new Set(["initial_capital", "fee_rate", "slippage_bps", "position_size"]);
  const COMPOSITE_EXAMPLE = [
    { rule_type: "RSI", params: { period: 14, oversold: 30, overbought: 70 } },
    { rule_type: "TREND", params: {} },
  ];

  // KPI cards: [metric key, label, format]. The first block is SPEC §4's.
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
  ];

  const $ = (sel) => document.querySelector(sel);
  const el = (id) => document.getElementById(id);

  const state = {
    rules: new Map(),      // rule_type -> rule metadata from /api/rules
    presets: new Map(),    // id -> preset
    result: null,          // the result on screen
    charts: new Map(),     // pane id -> uPlot instance
    runToken: 0,           // bumped on every run, cancels older polls
  };

  // ---------------------------------------------------------------- formatting

  const isNum = (v) => typeof v === "number" && Number.isFinite(v);

  function fmtNum(v, digits = 2) {
    if (!isNum(v)) return "—";
    return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function fmtKpi(v, kind) {
    if (!isNum(v)) return "—";
    switch (kind) {
      case "pct": return `${fmtNum(v, 2)} %`;
      case "int": return fmtNum(v, 0);
      case "days": return `${fmtNum(v, 0)} d`;
      case "money": return fmtNum(v, 2);
      default: return fmtNum(v, 2);
    }
  }

  function signClass(v) {
    if (!isNum(v) || v === 0) return "";
    return v > 0 ? "profit" : "loss";
  }

  function humanize(key) {
    const s = key.replace(/_pct$/, "").replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function fmtTimestamp(ts) {
    if (typeof ts !== "string") return "—";
    // Daily bars are stamped at the US close (21:00 UTC): the date says it all.
    return ts.replace(/T21:00:00(\.0+)?(\+00:00|Z)$/, "").replace("T", " ").replace(/\+00:00$|Z$/, "Z");
  }

  // Dates and timestamps as unix seconds for uPlot.
  function toEpoch(date) {
    const ms = Date.parse(date);
    return Number.isNaN(ms) ? null : ms / 1000;
  }

  // ---------------------------------------------------------------- HTTP

  class ApiError extends Error {
    constructor(message, field, status) {
      super(message);
      this.field = field || null;
      this.status = status;
    }
  }

  async function api(method, url, body) {
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

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---------------------------------------------------------------- errors

  const errorBox = el("error-box");

  // The form control a server `field` refers to ("ticker", "params.period", "params.rules[0].x").
  function fieldElement(field) {
    if (!field) return null;
    const param = /^params\.([A-Za-z0-9_]+)/.exec(field);
    if (param) return el(`param-${param[1]}`);
    if (field === "params") return el("rule-params");
    if (field === "name") return el("preset-name");
    return el(field.replace(/[^A-Za-z0-9_-]/g, ""));
  }

  function showError(message, field) {
    clearError();
    errorBox.textContent = message;
    errorBox.classList.remove("d-none");
    const input = fieldElement(field);
    if (input) {
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      errorBox.dataset.field = field;
    }
    errorBox.scrollIntoView({ block: "nearest" });
  }

  function clearError() {
    errorBox.classList.add("d-none");
    errorBox.textContent = "";
    delete errorBox.dataset.field;
    document.querySelectorAll(".is-invalid").forEach((node) => {
      node.classList.remove("is-invalid");
      node.removeAttribute("aria-invalid");
    });
  }

  function reportError(err) {
    if (err instanceof ApiError) {
      showError(err.message, err.field);
    } else {
      showError(`Unexpected error: ${err && err.message ? err.message : err}`);
    }
  }

  // ---------------------------------------------------------------- rules & params

  async function loadRules() {
    const select = el("rule_type");
    const box = el("rule-params");
    try {
      const rules = await api("GET", "/api/rules");
      state.rules = new Map(rules.map((r) => [r.rule_type, r]));
      const current = select.value || DEFAULT_RULE;
      select.replaceChildren(...rules.map((r) => new Option(r.rule_type, r.rule_type)));
      select.value = state.rules.has(current) ? current : (state.rules.has(DEFAULT_RULE) ? DEFAULT_RULE : rules[0].rule_type);
      renderParams(select.value);
    } catch (err) {
      box.replaceChildren(note("Rule parameters could not be loaded; the rule's defaults will be used."));
      reportError(err);
    } finally {
      box.setAttribute("aria-busy", "false");
      box.dataset.ready = "true";
    }
  }

  function note(text) {
    const div = document.createElement("div");
    div.className = "text-body-secondary small-note";
    div.textContent = text;
    return div;
  }

  function renderParams(ruleType, values = {}) {
    const rule = state.rules.get(ruleType);
    const box = el("rule-params");
    el("rule-description").textContent = rule ? rule.description || "" : "";
    const legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = `${ruleType} parameters`;
    if (!rule || !rule.params || rule.params.length === 0) {
      box.replaceChildren(legend, note("This rule has no parameters."));
      return;
    }
    const row = document.createElement("div");
    row.className = "row g-2";
    for (const spec of rule.params) {
      row.append(paramControl(spec, values[spec.name]));
    }
    box.replaceChildren(legend, row);
  }

  function paramControl(spec, value) {
    const id = `param-${spec.name}`;
    const col = document.createElement("div");
    col.className = spec.type === "rules" ? "col-12" : "col-6";
    const label = document.createElement("label");
    label.className = "form-label";
    label.htmlFor = id;
    label.textContent = spec.name;
    let input;
    let hint = spec.description || "";
    const initial = value !== undefined ? value : spec.default;

    if (spec.type === "choice") {
      input = document.createElement("select");
      input.className = "form-select";
      for (const choice of spec.choices || []) input.append(new Option(choice, choice));
      if (initial !== undefined && initial !== null) input.value = String(initial);
    } else if (spec.type === "rules") {
      input = document.createElement("textarea");
      input.className = "form-control";
      input.spellcheck = false;
      const list = Array.isArray(initial) && initial.length > 0 ? initial : COMPOSITE_EXAMPLE;
      input.value = JSON.stringify(list, null, 2);
      hint = `${hint} JSON list of {"rule_type", "params"} objects.`.trim();
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.className = "form-control num";
      if (isNum(spec.min)) input.min = String(spec.min);
      if (isNum(spec.max)) input.max = String(spec.max);
      input.step = isNum(spec.step) ? String(spec.step) : (spec.type === "int" ? "1" : "any");
      if (initial !== undefined && initial !== null) input.value = String(initial);
      if (isNum(spec.min) && isNum(spec.max)) hint = `${hint} (${spec.min} – ${spec.max})`.trim();
    }
    input.id = id;
    input.name = spec.name;
    input.dataset.param = spec.name;
    input.dataset.kind = spec.type;
    const help = document.createElement("div");
    help.className = "form-text";
    help.id = `${id}-help`;
    help.textContent = hint;
    input.setAttribute("aria-describedby", help.id);
    col.append(label, input, help);
    return col;
  }

  // The params object from the generated inputs; empty inputs are left to the
  // rule's defaults, and values that do not parse are sent as typed so the
  // server can say what is wrong with them.
  function collectParams() {
    const params = {};
    for (const input of el("rule-params").querySelectorAll("[data-param]")) {
      const name = input.dataset.param;
      const raw = input.value.trim();
      if (raw === "") continue;
      switch (input.dataset.kind) {
        case "int":
        case "float": {
          const n = Number(raw);
          params[name] = Number.isFinite(n) ? n : raw;
          break;
        }
        case "rules":
          try {
            params[name] = JSON.parse(raw);
          } catch (err) {
            throw new ApiError(`${name}: not valid JSON (${err.message}).`, `params.${name}`, 0);
          }
          break;
        default:
          params[name] = raw;
      }
    }
    return params;
  }

  // ---------------------------------------------------------------- form

  function collectSettings() {
    const out = {};
    for (const name of SETTING_FIELDS) {
      const raw = el(name).value.trim();
      if (NUMERIC_SETTINGS.has(name)) {
        if (raw === "") continue;
        const n = Number(raw);
        out[name] = Number.isFinite(n) ? n : raw;
      } else if (raw !== "" || name === "ticker") {
        out[name] = name === "ticker" ? raw.toUpperCase() : raw;
      }
    }
    out.rule_type = el("rule_type").value;
    out.params = collectParams();
    return out;
  }

  function collectRequest() {
    const request = collectSettings();
    request.charts = el("charts").checked;
    return request;
  }

  function fillForm(preset) {
    for (const name of SETTING_FIELDS) {
      if (preset[name] !== undefined && preset[name] !== null) el(name).value = String(preset[name]);
    }
    if (preset.rule_type) {
      const select = el("rule_type");
      if (![...select.options].some((o) => o.value === preset.rule_type)) {
        select.append(new Option(preset.rule_type, preset.rule_type));
      }
      select.value = preset.rule_type;
      renderParams(preset.rule_type, preset.params || {});
    }
  }

  function setBusy(busy) {
    for (const id of ["run-btn", "run-sync-btn"]) {
      const button = el(id);
      button.disabled = busy;
      button.querySelector(".spinner-border").classList.toggle("d-none", !busy);
    }
  }

  const BADGE_CLASSES = {
    idle: "text-bg-secondary",
    queued: "text-bg-info",
    running: "text-bg-warning",
    completed: "text-bg-success",
    failed: "text-bg-danger",
  };

  function setStatus(status, info = "") {
    const badge = el("status-badge");
    badge.className = `badge ${BADGE_CLASSES[status] || "text-bg-secondary"}`;
    badge.textContent = status;
    badge.dataset.status = status;
    el("run-info").textContent = info;
  }

  // ---------------------------------------------------------------- running

  async function runAsync() {
    clearError();
    let request;
    try {
      request = collectRequest();
    } catch (err) {
      reportError(err);
      return;
    }
    const token = ++state.runToken;
    setBusy(true);
    setStatus("queued");
    try {
      const submitted = await api("POST", "/api/backtests", request);
      const statusUrl = submitted.status_url || `/status/${encodeURIComponent(submitted.run_id)}`;
      await pollRun(statusUrl, submitted.run_id, token);
    } catch (err) {
      if (token === state.runToken) {
        setStatus("failed");
        reportError(err);
      }
    } finally {
      if (token === state.runToken) setBusy(false);
      loadRecentRuns();
    }
  }

  async function runSync() {
    clearError();
    let request;
    try {
      request = collectRequest();
    } catch (err) {
      reportError(err);
      return;
    }
    const token = ++state.runToken;
    setBusy(true);
    setStatus("running", "synchronous run");
    const started = performance.now();
    try {
      const result = await api("POST", "/run_backtest", request);
      if (token !== state.runToken) return;
      const elapsed = `${Math.round(performance.now() - started)} ms`;
      if (result.status === "failed") {
        setStatus("failed", elapsed);
        showError(result.error_message || "The backtest failed.");
      } else {
        setStatus("completed", elapsed);
        renderResult(result);
      }
    } catch (err) {
      if (token === state.runToken) {
        setStatus("failed");
        reportError(err);
      }
    } finally {
      if (token === state.runToken) setBusy(false);
      loadRecentRuns();
    }
  }

  // Polls GET /status/<run_id> until the run is completed or failed.
  async function pollRun(statusUrl, runId, token) {
    const started = performance.now();
    for (;;) {
      if (token !== state.runToken) return;
      const run = await api("GET", statusUrl);
      if (token !== state.runToken) return;
      const elapsed = `${((performance.now() - started) / 1000).toFixed(1)} s`;
      const label = `${shortId(runId || run.run_id)} · ${elapsed}`;
      if (run.status === "completed") {
        setStatus("completed", label);
        if (run.result) {
          renderResult(run.result);
        } else {
          showError("The run completed but its result is missing.");
        }
        return;
      }
      if (run.status === "failed") {
        setStatus("failed", label);
        showError(run.error_message || (run.result && run.result.error_message) || "The backtest failed.");
        return;
      }
      setStatus(run.status || "queued", label);
      if (performance.now() - started > POLL_TIMEOUT_MS) {
        throw new ApiError(`Gave up waiting for run ${runId} after ${POLL_TIMEOUT_MS / 60000} minutes.`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }

  function shortId(id) {
    return typeof id === "string" ? id.slice(0, 8) : "";
  }

  // Loads a past run (from the recent-runs panel or a #run=<id> link).
  async function openRun(runId) {
    clearError();
    const token = ++state.runToken;
    setBusy(false);
    setStatus("queued", shortId(runId));
    try {
      await pollRun(`/status/${encodeURIComponent(runId)}`, runId, token);
    } catch (err) {
      if (token === state.runToken) {
        setStatus("failed");
        reportError(err);
      }
    }
  }

  // ---------------------------------------------------------------- results

  function renderResult(result) {
    state.result = result;
    for (const chart of state.charts.values()) chart.destroy();
    state.charts.clear();
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

  function renderKpis(metrics) {
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

  function renderTrades(trades) {
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
        cell(fmtTimestamp(t.exit_timestamp) + (t.closed_at_end ? " (end)" : "")),
        cell(fmtNum(t.exit_price), "text-end"),
        cell(fmtNum(t.exit_fees), "text-end"),
        cell(fmtNum(t.pnl_abs), pnlClass),
        cell(`${fmtNum(t.pnl_pct)} %`, pnlClass),
        cell(fmtNum(t.holding_period, 0), "text-end"),
      );
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = cell("No trades in this range.", "text-body-secondary");
      td.colSpan = 12;
      tr.append(td);
      rows.push(tr);
    }
    $("#trades-table tbody").replaceChildren(...rows);
    const wins = trades.filter((t) => t.pnl_abs > 0).length;
    el("trades-caption").textContent = trades.length
      ? `${trades.length} trades: ${wins} winning, ${trades.length - wins} losing or flat. Profits in green, losses in red.`
      : "";
  }

  // ---------------------------------------------------------------- interactive charts (uPlot)

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

  function equityChart(result, host) {
    const curve = result.equity_curve || [];
    const opts = baseOptions(host, [
      { label: "Equity", stroke: COLORS.line, width: 2, value: valueFmt(2) },
    ], "Equity");
    return new uPlot(opts, [xs(curve), curve.map((p) => p.equity)], host);
  }

  function drawdownChart(result, host) {
    const curve = result.drawdown_curve || [];
    const opts = baseOptions(host, [
      {
        label: "Drawdown %", stroke: COLORS.drawdown, fill: "rgba(248,81,73,0.2)", width: 1.5,
        value: (_u, v) => (isNum(v) ? `${fmtNum(v, 2)} %` : "—"),
      },
    ], "Drawdown %");
    return new uPlot(opts, [xs(curve), curve.map((p) => p.drawdown_pct)], host);
  }

  function portfolioChart(result, host) {
    const curve = result.portfolio_curve || [];
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
  function candlesChart(result, host) {
    const candles = result.price_candles || [];
    const x = xs(candles);
    const byTime = new Map(x.map((t, i) => [t, i]));
    const byDay = new Map(candles.map((c, i) => [String(c.date).slice(0, 10), i]));
    const buys = new Array(candles.length).fill(null);
    const sells = new Array(candles.length).fill(null);
    for (const s of result.signals || []) {
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
  function drawChart(paneId) {
    const builder = CHART_BUILDERS[paneId];
    if (!builder || !state.result || state.charts.has(paneId)) return;
    if (typeof uPlot === "undefined") return;
    const [hostId, build] = builder;
    const host = el(hostId);
    host.replaceChildren();
    state.charts.set(paneId, build(state.result, host));
  }

  function resizeCharts() {
    for (const [paneId, chart] of state.charts) {
      const host = el(CHART_BUILDERS[paneId][0]);
      if (host.clientWidth > 0) chart.setSize({ width: host.clientWidth, height: chart.height });
    }
  }

  // ---------------------------------------------------------------- presets

  function presetStatus(text) {
    el("preset-status").textContent = text;
  }

  async function loadPresets(selectId) {
    const select = el("preset-select");
    try {
      const presets = await api("GET", "/api/strategies");
      state.presets = new Map(presets.map((p) => [String(p.id), p]));
      const options = presets.map((p) => new Option(`${p.name} — ${p.ticker} ${p.rule_type}`, String(p.id)));
      select.replaceChildren(new Option("— choose a preset —", ""), ...options);
      select.value = selectId !== undefined && state.presets.has(String(selectId)) ? String(selectId) : "";
    } catch (err) {
      reportError(err);
    } finally {
      el("delete-preset-btn").disabled = select.value === "";
      select.dataset.ready = "true";
    }
  }

  function onPresetSelected() {
    const id = el("preset-select").value;
    el("delete-preset-btn").disabled = id === "";
    const preset = state.presets.get(id);
    if (!preset) return;
    clearError();
    fillForm(preset);
    el("preset-name").value = preset.name;
    presetStatus(`Loaded preset “${preset.name}”.`);
  }

  async function savePreset() {
    clearError();
    const name = el("preset-name").value.trim();
    if (!name) {
      showError("Give the preset a name.", "preset-name");
      return;
    }
    try {
      const preset = { name, ...collectSettings() };
      const saved = await api("POST", "/api/strategies", preset);
      await loadPresets(saved.id);
      presetStatus(`Saved preset “${name}”.`);
    } catch (err) {
      if (err.field === "name") err.field = "preset-name";
      reportError(err);
    }
  }

  async function deletePreset() {
    clearError();
    const id = el("preset-select").value;
    const preset = state.presets.get(id);
    if (!preset) return;
    try {
      await api("DELETE", `/api/strategies/${encodeURIComponent(id)}`);
      await loadPresets();
      presetStatus(`Deleted preset “${preset.name}”.`);
    } catch (err) {
      reportError(err);
    }
  }

  // ---------------------------------------------------------------- recent runs

  async function loadRecentRuns() {
    const list = el("recent-runs");
    let runs;
    try {
      const page = await api("GET", "/api/runs?limit=10");
      runs = Array.isArray(page) ? page : (page.runs || []);
    } catch (err) {
      list.replaceChildren(runItem(null, `Recent runs could not be loaded: ${err.message}`));
      return;
    }
    if (runs.length === 0) {
      list.replaceChildren(runItem(null, "No runs yet."));
      return;
    }
    list.replaceChildren(...runs.map((run) => runItem(run)));
  }

  function runItem(run, text) {
    if (!run) {
      const div = document.createElement("div");
      div.className = "list-group-item text-body-secondary";
      div.textContent = text;
      return div;
    }
    const a = document.createElement("a");
    a.className = "list-group-item list-group-item-action d-flex align-items-center gap-2";
    a.href = `#run=${encodeURIComponent(run.run_id)}`;
    a.dataset.runId = run.run_id;
    const what = document.createElement("span");
    what.className = "me-auto";
    what.textContent = `${run.ticker || "?"} · ${run.rule_type || "?"}`;
    const meta = document.createElement("span");
    meta.className = "run-meta";
    meta.textContent = run.created_at ? String(run.created_at).replace("T", " ").slice(0, 19) : shortId(run.run_id);
    const badge = document.createElement("span");
    badge.className = `badge ${BADGE_CLASSES[run.status] || "text-bg-secondary"}`;
    badge.textContent = run.status || "?";
    a.append(what, meta, badge);
    return a;
  }

  function runIdFromHash() {
    const match = /^#run=(.+)$/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // ---------------------------------------------------------------- wiring

  function init() {
    el("backtest-form").addEventListener("submit", (event) => {
      event.preventDefault();
      runAsync();
    });
    el("run-sync-btn").addEventListener("click", runSync);
    el("rule_type").addEventListener("change", (event) => {
      clearError();
      renderParams(event.target.value);
    });
    el("backtest-form").addEventListener("input", (event) => {
      if (event.target.classList.contains("is-invalid")) {
        event.target.classList.remove("is-invalid");
        event.target.removeAttribute("aria-invalid");
      }
    });
    el("preset-select").addEventListener("change", onPresetSelected);
    el("save-preset-btn").addEventListener("click", savePreset);
    el("delete-preset-btn").addEventListener("click", deletePreset);
    el("preset-name").addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        savePreset();
      }
    });
    el("refresh-runs-btn").addEventListener("click", loadRecentRuns);
    el("recent-runs").addEventListener("click", (event) => {
      // Re-clicking the run already in the URL fires no hashchange: load it here.
      const link = event.target.closest("[data-run-id]");
      if (link && window.location.hash === link.getAttribute("href")) {
        event.preventDefault();
        openRun(link.dataset.runId);
      }
    });
    window.addEventListener("hashchange", () => {
      const runId = runIdFromHash();
      if (runId) openRun(runId);
    });
    document.querySelectorAll('[data-bs-toggle="tab"]').forEach((tab) => {
      tab.addEventListener("shown.bs.tab", (event) => {
        drawChart(event.target.getAttribute("data-bs-target").slice(1));
      });
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resizeCharts, 150);
    });

    loadRules();
    loadPresets();
    loadRecentRuns();
    const runId = runIdFromHash();
    if (runId) openRun(runId);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
