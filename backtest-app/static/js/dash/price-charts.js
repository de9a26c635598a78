// Price charts: OHLC candlesticks and the close line, each with ▲ buys and
// ▼ sells at their fill prices; an exit made by a stop is labelled SL, TP or
// TS, and the hover legend names every exit's reason.

import {
  COLORS, baseOptions, clipped, exitReasonSeries, hidden, ordersByBar, stopLabel, triangle, valueFmt,
  visibleRange, xs,
} from "./chart-base.js";
import { isNum } from "./format.js";

/* global uPlot */

// Candlesticks drawn in a draw hook; the OHLC and signal series have no
// lines of their own, they feed the scales and the hover legend.
export function candlesChart(res, host) {
  const candles = res.price_candles || [];
  const x = xs(candles);
  const { buys, sells, reasons } = ordersByBar(candles, x, res.signals);
  const opts = baseOptions(host, [
    hidden("Open", COLORS.axis),
    hidden("High", COLORS.up),
    hidden("Low", COLORS.down),
    hidden("Close", COLORS.line),
    hidden("Buy ▲", COLORS.up),
    hidden("Sell ▼", COLORS.down),
    exitReasonSeries(reasons),
  ], "Price");
  opts.hooks = { draw: [(u) => drawCandles(u, reasons)] };
  return new uPlot(opts, [
    x,
    candles.map((c) => c.open),
    candles.map((c) => c.high),
    candles.map((c) => c.low),
    candles.map((c) => c.close),
    buys,
    sells,
    exitPrices(buys, sells, reasons),
  ], host);
}

// The exit order's price per bar (what the exit-reason series holds).
function exitPrices(buys, sells, reasons) {
  return reasons.map((r, i) => (r ? (r.buy ? buys[i] : sells[i]) : null));
}

function drawCandles(u, reasons) {
  const [x, open, high, low, close, buys, sells] = u.data;
  const [i0, i1] = visibleRange(u);
  const visible = Math.max(i1 - i0 + 1, 1);
  const bodyWidth = Math.max(1, Math.min(12, (u.bbox.width / visible) * 0.6));
  const px = (i) => Math.round(u.valToPos(x[i], "x", true));
  const py = (v) => Math.round(u.valToPos(v, "y", true));
  clipped(u, (ctx) => {
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
    const size = Math.max(10, Math.min(14, bodyWidth + 6)) * devicePixelRatio;
    for (let i = i0; i <= i1; i++) {
      if (isNum(buys[i])) triangle(ctx, px(i), py(low[i]) + 3, true, COLORS.up, size);
      if (isNum(sells[i])) triangle(ctx, px(i), py(high[i]) - 3, false, COLORS.down, size);
      const r = reasons[i];
      if (r) stopLabel(ctx, px(i), r.buy ? py(low[i]) + 3 : py(high[i]) - 3, r, size);
    }
  });
}

// The close with each order's marker tip at its fill price.
export function ordersChart(res, host) {
  const candles = res.price_candles || [];
  const x = xs(candles);
  const { buys, sells, reasons } = ordersByBar(candles, x, res.signals);
  const opts = baseOptions(host, [
    { label: "Close", stroke: COLORS.line, width: 1.5, value: valueFmt(2) },
    hidden("Buy ▲", COLORS.up),
    hidden("Sell ▼", COLORS.down),
    exitReasonSeries(reasons),
  ], "Price");
  opts.hooks = { draw: [(u) => drawOrders(u, reasons)] };
  return new uPlot(opts, [
    x, candles.map((c) => c.close), buys, sells, exitPrices(buys, sells, reasons),
  ], host);
}

function drawOrders(u, reasons) {
  const [x, , buys, sells] = u.data;
  const [i0, i1] = visibleRange(u);
  const size = 12 * devicePixelRatio;
  clipped(u, (ctx) => {
    for (let i = i0; i <= i1; i++) {
      const cx = Math.round(u.valToPos(x[i], "x", true));
      if (isNum(buys[i])) triangle(ctx, cx, Math.round(u.valToPos(buys[i], "y", true)), true, COLORS.up, size);
      if (isNum(sells[i])) triangle(ctx, cx, Math.round(u.valToPos(sells[i], "y", true)), false, COLORS.down, size);
      const r = reasons[i];
      if (r) {
        const price = r.buy ? buys[i] : sells[i];
        if (isNum(price)) stopLabel(ctx, cx, Math.round(u.valToPos(price, "y", true)), r, size);
      }
    }
  });
}
