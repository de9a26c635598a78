//! The browser test's Trades tab (see `e2e_browser.rs`): every column of the
//! trade table, each row's side and exit reason, and exits by a stop-loss
//! after a run with one.

use std::time::Duration;

use serde_json::{json, Value};

use super::webdriver::{Result, Session};

/// The table's columns, in order (SPEC §4 trade fields, then issue 11's).
const COLUMNS: [&str; 16] = [
    "#",
    "Side",
    "Size",
    "Entry time",
    "Entry price",
    "Entry fees",
    "Exit time",
    "Exit price",
    "Exit fees",
    "PnL",
    "PnL %",
    "Days held",
    "Bars held",
    "Exit reason",
    "MAE %",
    "MFE %",
];

/// The shown Trades tab of a run with a 3 % stop-loss.
pub fn check_trades(s: &Session, timeout: Duration) -> Result<()> {
    let rows = s.wait_for(
        "trade rows",
        "document.querySelectorAll('#trades-table tbody tr.trade-profit, #trades-table tbody tr.trade-loss').length \
         && document.querySelectorAll('#trades-table tbody tr').length",
        timeout,
    )?;
    let headers = s.execute(
        "return [...document.querySelectorAll('#trades-table thead th')].map(th => th.textContent.trim());",
        vec![],
    )?;
    if headers != json!(COLUMNS) {
        return Err(format!("the trade columns {COLUMNS:?} (found {headers})"));
    }
    let first = s.text("#trades-table tbody tr")?;
    if !(first.contains("BUY") || first.contains("SELL")) {
        return Err(format!(
            "the first of {rows} trade rows names its side: {first:?}"
        ));
    }
    // Each row: [exit reason, its text, MAE, MFE] with MAE <= 0 <= MFE.
    let cells = s.execute(
        "return [...document.querySelectorAll('#trades-table tbody tr')].map(tr => { \
           const td = tr.querySelectorAll('td'); \
           return [td[13].dataset.exitReason, td[13].textContent, \
                   parseFloat(td[14].textContent.replace(/,/g, '')), \
                   parseFloat(td[15].textContent.replace(/,/g, ''))]; });",
        vec![],
    )?;
    let cells: Vec<Value> = cells.as_array().cloned().unwrap_or_default();
    let excursions_ok = cells.iter().all(|c| {
        c[2].as_f64().is_some_and(|mae| mae <= 0.0) && c[3].as_f64().is_some_and(|mfe| mfe >= 0.0)
    });
    let named = cells
        .iter()
        .all(|c| c[0].as_str().is_some_and(|r| !r.is_empty()) && c[1] != json!("—"));
    let stopped = cells
        .iter()
        .any(|c| c[0] == json!("stop_loss") && c[1] == json!("stop-loss"));
    if cells.len() as u64 != rows.as_u64().unwrap_or(0) || !named || !stopped || !excursions_ok {
        return Err(format!(
            "each row shows its exit reason and MAE <= 0 <= MFE, some exits are stop-loss: {cells:?}"
        ));
    }
    Ok(())
}
