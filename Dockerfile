# syntax=docker/dockerfile:1
# Multi-stage build of the single `rectify` binary (subcommands: server,
# worker, migrate, ...). Runtime image: Debian slim, non-root.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so code changes do not re-download modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# -tags release: production only (no in-process Temporal, SQLite or benchmarks);
# pure Go, so no cgo and a static binary. `make release` builds the same.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -tags release -trimpath -ldflags='-s -w' -o /out/rectify ./cmd/rectify

FROM debian:bookworm-slim
# ca-certificates for outbound TLS; tzdata for calendar.zone (Asia/Shanghai).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/rectify rectify
COPY --from=build /out/rectify /usr/local/bin/rectify
USER rectify
WORKDIR /var/lib/rectify
# In a container the API must listen on all interfaces (default is 127.0.0.1).
ENV RECTIFY_HTTP_ADDR=0.0.0.0:8080 \
    RECTIFY_DATA_DIR=/var/lib/rectify/data
EXPOSE 8080
ENTRYPOINT ["rectify"]
CMD ["server"]
