# syntax=docker/dockerfile:1.7
# stock-backtest: one image for the web (`serve`), the worker (`worker --run-id ID`)
# and the schema migration (`db migrate`).
#
#   docker build -t stock-backtest:dev .
#   docker run --rm -p 8000:8000 stock-backtest:dev            # serve (default)
#   docker run --rm stock-backtest:dev worker --run-id <uuid>   # one backtest
#   docker run --rm stock-backtest:dev db migrate               # schema

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# --- chef: cargo-chef caches the dependency build in its own layer -----------
FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /build

# --- planner: a recipe of the dependency graph (changes only with Cargo.*) ---
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# --- builder: dependencies first (cached), then the workspace ----------------
FROM chef AS builder
COPY --from=planner /build/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json -p backtest-app --bin backtest
COPY . .
RUN cargo build --release --locked -p backtest-app --bin backtest \
    && install -D -m 0755 target/release/backtest /out/backtest

# --- runtime: small Debian with CA certificates, curl for the HEALTHCHECK ----
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# Versions are not pinned on purpose: the suite's security updates are wanted on
# every rebuild, and the image is pinned as a whole by its immutable git-SHA tag.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 backtest \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin backtest

WORKDIR /app
COPY --from=builder /out/backtest /usr/local/bin/backtest
COPY --chown=10001:10001 data/ /app/data/
COPY --chown=10001:10001 backtest-app/templates/ /app/templates/
COPY --chown=10001:10001 backtest-app/static/ /app/static/

ENV ROCKET_ADDRESS=0.0.0.0 \
    ROCKET_PORT=8000 \
    DATA_DIR=/app/data \
    LOG_FORMAT=json \
    LOG_LEVEL=info \
    JOB_LAUNCHER_MODE=local

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8000/health"]

ENTRYPOINT ["/usr/local/bin/backtest"]
CMD ["serve"]
