//! `backtest`: the stock-backtest command line.

fn main() {
    println!("backtest");
}
