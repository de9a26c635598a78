//! A small HTTP/1.1 load generator for `scripts/load-test`.
//!
//! ```text
//! cargo run --release -p backtest-app --example loadgen -- \
//!     --addr 127.0.0.1:8000 --path /run_backtest --body-file req.json \
//!     --requests 10000 --concurrency 16 [--label name]
//! ```
//!
//! `concurrency` connections (keep-alive) each send requests back to back
//! until `requests` have been sent in total. Prints one JSON line: requests,
//! errors (transport errors or a status other than 200), wall time,
//! requests/s, latency percentiles in milliseconds and mean response size.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Clone)]
struct Args {
    addr: String,
    path: String,
    body: Vec<u8>,
    requests: usize,
    concurrency: usize,
    label: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:8000".to_owned(),
        path: "/run_backtest".to_owned(),
        body: Vec::new(),
        requests: 1000,
        concurrency: 1,
        label: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => args.addr = value()?,
            "--path" => args.path = value()?,
            "--body" => args.body = value()?.into_bytes(),
            "--body-file" => {
                let path = value()?;
                args.body = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
            }
            "--requests" => {
                args.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?;
            }
            "--concurrency" => {
                args.concurrency = value()?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?;
            }
            "--label" => args.label = value()?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.concurrency == 0 || args.requests == 0 {
        return Err("--requests and --concurrency must be at least 1".to_owned());
    }
    Ok(args)
}

/// One keep-alive connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    async fn open(addr: &str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    /// Sends one request; returns the status and the body length.
    async fn request(&mut self, head: &[u8], body: &[u8]) -> std::io::Result<(u16, usize)> {
        let stream = self.reader.get_mut();
        stream.write_all(head).await?;
        stream.write_all(body).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid(format!("bad status line {line:?}")))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.reader.read_line(&mut line).await? == 0 {
                return Err(invalid("connection closed in headers".to_owned()));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding")
                    && value.eq_ignore_ascii_case("chunked")
                {
                    chunked = true;
                }
            }
        }
        let size = if chunked {
            self.read_chunked().await?
        } else {
            let length = length.ok_or_else(|| invalid("no content-length".to_owned()))?;
            let mut remaining = length;
            let mut buf = [0u8; 16 * 1024];
            while remaining > 0 {
                let n = remaining.min(buf.len());
                self.reader.read_exact(&mut buf[..n]).await?;
                remaining -= n;
            }
            length
        };
        Ok((status, size))
    }

    async fn read_chunked(&mut self) -> std::io::Result<usize> {
        let mut total = 0;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|e| invalid(format!("bad chunk size {line:?}: {e}")))?;
            if size == 0 {
                // Trailers end with an empty line.
                loop {
                    line.clear();
                    self.reader.read_line(&mut line).await?;
                    if line.trim_end().is_empty() {
                        return Ok(total);
                    }
                }
            }
            let mut chunk = vec![0u8; size + 2];
            self.reader.read_exact(&mut chunk).await?;
            total += size;
        }
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

#[derive(Debug, Default)]
struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    bytes: usize,
    first_error: Option<String>,
}

async fn worker(args: Arc<Args>, next: Arc<AtomicUsize>) -> Outcome {
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        args.path,
        args.addr,
        args.body.len()
    )
    .into_bytes();
    let mut out = Outcome::default();
    let mut conn: Option<Conn> = None;
    while next.fetch_add(1, Ordering::Relaxed) < args.requests {
        let started = Instant::now();
        let result = async {
            if conn.is_none() {
                conn = Some(Conn::open(&args.addr).await?);
            }
            match conn.as_mut() {
                Some(c) => c.request(&head, &args.body).await,
                None => Err(invalid("no connection".to_owned())),
            }
        }
        .await;
        let elapsed = started.elapsed();
        match result {
            Ok((200, size)) => {
                out.latencies.push(elapsed);
                out.bytes += size;
            }
            Ok((status, _)) => {
                out.errors += 1;
                out.first_error
                    .get_or_insert_with(|| format!("HTTP status {status}"));
            }
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert_with(|| e.to_string());
                conn = None;
            }
        }
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(args) => Arc::new(args),
        Err(e) => {
            eprintln!("loadgen: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| tokio::spawn(worker(Arc::clone(&args), Arc::clone(&next))))
        .collect();
    let mut all = Outcome::default();
    for task in tasks {
        match task.await {
            Ok(out) => {
                all.latencies.extend(out.latencies);
                all.errors += out.errors;
                all.bytes += out.bytes;
                if all.first_error.is_none() {
                    all.first_error = out.first_error;
                }
            }
            Err(e) => {
                all.errors += 1;
                all.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    all.latencies.sort_unstable();
    let ok = all.latencies.len();
    let mean_ms = if ok == 0 {
        f64::NAN
    } else {
        all.latencies.iter().map(Duration::as_secs_f64).sum::<f64>() / ok as f64 * 1000.0
    };
    let report = serde_json::json!({
        "label": args.label,
        "requests": ok + all.errors,
        "ok": ok,
        "errors": all.errors,
        "first_error": all.first_error,
        "concurrency": args.concurrency,
        "wall_s": wall,
        "rps": (ok + all.errors) as f64 / wall,
        "p50_ms": percentile(&all.latencies, 50.0),
        "p95_ms": percentile(&all.latencies, 95.0),
        "p99_ms": percentile(&all.latencies, 99.0),
        "max_ms": percentile(&all.latencies, 100.0),
        "mean_ms": mean_ms,
        "mean_body_bytes": all.bytes.checked_div(ok).unwrap_or(0),
    });
    println!("{report}");
    if all.errors == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
