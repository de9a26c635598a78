# stock-backtest: one image for the web (`serve`), the worker (`worker --run-id ID`)
# and the schema migration (`db migrate`). Built with BuildKit (cache mounts):
#
#   DOCKER_BUILDKIT=1 docker build --build-arg GIT_SHA="$(git rev-parse HEAD)" -t stock-backtest:dev .
#   docker run --rm -p 8000:8000 -e DATABASE_URL=mysql://... stock-backtest:dev   # serve (default)
#   docker run --rm stock-backtest:dev worker --run-id <uuid>                      # one backtest
#   docker run --rm stock-backtest:dev db migrate                                  # schema
#   docker run --rm stock-backtest:dev --version                                   # 0.1.0 (abc1234)
#
# The base images are build arguments so that a machine without registry
# access can substitute locally made ones (scripts/container-test does). The
# defaults are the upstream images pinned by tag and digest (multi-arch index
# digests as published; taken from public build logs and Dockerfiles, since
# no registry is reachable from the project's CI machine to re-check them:
# renew with `docker buildx imagetools inspect IMAGE:TAG`).
ARG RUST_IMAGE=docker.io/library/rust:1.95-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1
# glibc, libgcc_s, CA certificates and tzdata; no shell, no package manager.
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f

# --- builder ------------------------------------------------------------------
# checkov:skip=CKV_DOCKER_7:The base images are build arguments; their defaults above are pinned by tag and digest.
FROM ${RUST_IMAGE} AS builder
# The commit `backtest --version` reports.
ARG GIT_SHA=""
WORKDIR /build
# Only what the build reads, so a change elsewhere (docs, scripts, charts)
# does not invalidate this stage.
COPY Cargo.toml Cargo.lock ./
COPY backtest-core/ backtest-core/
COPY backtest-adapter/ backtest-adapter/
COPY backtest-app/ backtest-app/
# The cache mounts keep the crate registry and the target directory between
# builds on the same machine, so a rebuild compiles only the workspace crates
# that changed. The binary is copied out of the cache in the same step.
RUN --mount=type=cache,id=stock-backtest-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=stock-backtest-target,target=/build/target,sharing=locked \
    GIT_SHA="${GIT_SHA}" CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked -p backtest-app --bin backtest \
    && install -D -m 0755 target/release/backtest /out/backtest

# --- runtime ------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
# Owned by root and only readable by the app user: the root filesystem can be
# mounted read-only (the app writes nothing outside /tmp).
COPY --from=builder /out/backtest /usr/local/bin/backtest
COPY data/ /app/data/
COPY backtest-app/templates/ /app/templates/
COPY backtest-app/static/ /app/static/
COPY Rocket.toml /app/Rocket.toml
WORKDIR /app

ENV ROCKET_ADDRESS=0.0.0.0 \
    ROCKET_PORT=8000 \
    DATA_DIR=/app/data \
    TEMPLATE_DIR=/app/templates \
    STATIC_DIR=/app/static \
    LOG_FORMAT=json \
    LOG_LEVEL=info \
    JOB_LAUNCHER_MODE=local

USER 10001:10001
EXPOSE 8000
# GET of the local /health by the binary itself (ROCKET_ADDRESS/ROCKET_PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/backtest", "healthcheck", "--timeout-secs", "3"]

ENTRYPOINT ["/usr/local/bin/backtest"]
CMD ["serve"]
