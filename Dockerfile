# syntax=docker/dockerfile:1

# Build stage: a static binary without cgo (SQLite is the pure-Go modernc driver).
FROM golang:1.26-bookworm AS build
WORKDIR /src

# Modules first, in their own layer, so source edits do not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gridbot ./cmd/gridbot

# The data directory, created here because the final image has no shell.
RUN mkdir -p /out/data

# Final stage: distroless static, running as the nonroot user (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gridbot /gridbot
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532

ENV GRIDBOT_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080

# gridbot healthcheck GETs http://127.0.0.1:<port of GRIDBOT_HTTP_ADDR>/healthz and exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/gridbot", "healthcheck"]

ENTRYPOINT ["/gridbot"]
CMD ["serve"]
