//! `GET /`: the dashboard, a Tera template (`index.html.tera`) with the
//! version, the tickers of the data directory and the rule types.

use backtest_adapter::data::DataDir;
use backtest_core::rules::describe_rules;
use rocket::http::Method;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::{context, Template};

use super::openapi::{Content, Operation};
use super::telemetry::RequestInfo;

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    routes![index]
}

/// The documentation of this module's routes (see [`super::openapi`]).
pub fn docs() -> Vec<Operation> {
    vec![
        Operation::new(Method::Get, "/", "dashboard", "The dashboard").reply(
            200,
            "An HTML page.",
            Content::Html,
        ),
    ]
}

#[get("/")]
fn index(info: &RequestInfo, data_dir: &State<DataDir>) -> Template {
    let tickers = data_dir.tickers().unwrap_or_else(|e| {
        info.span
            .in_scope(|| tracing::warn!(error = %e, "cannot list the data directory"));
        Vec::new()
    });
    let rule_types: Vec<&str> = describe_rules().iter().map(|r| r.rule_type).collect();
    Template::render(
        "index",
        context! {
            version: env!("CARGO_PKG_VERSION"),
            tickers,
            rule_types,
        },
    )
}
