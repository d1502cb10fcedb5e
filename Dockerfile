# syntax=docker/dockerfile:1
# Portcullis: `portcullis serve` on Node.js 22 LTS, as a non-root user, with its data in /data.
# Build: docker build -t portcullis .   Run: see docs/deployment.md (serve on 0.0.0.0 needs --issuer).
# Checked by reading only: the machine it was written on has no container runtime.

# Both stages use the same image, so the better-sqlite3 addon built in one loads in the other
# (same Node ABI, same glibc). Pin it by digest in production: node:22-bookworm-slim@sha256:…
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 is a native addon: npm builds it from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Then only what `dependencies` needs at run time; the compiled addon stays in node_modules.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# The code belongs to root and cannot be changed by the server; only /data is writable by it.
COPY --from=build /app/package.json /app/package.json
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist /app/dist
# The image's `node` user, by number, so Kubernetes' runAsNonRoot can check it.
RUN mkdir -p /data && chown 1000:1000 /data && chmod 0700 /data
USER 1000:1000
# The SQLite database and, without PORTCULLIS_SECRET, the master secret file beside it
# (portcullis.secret, created on first start, mode 0600). Relative paths land here too.
WORKDIR /data
VOLUME ["/data"]
# 8080: the public port (behind your TLS proxy). 9464: /metrics with --metrics-port 9464.
EXPOSE 8080 9464
# Liveness on the main port, with node itself (no curl in slim images).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# serve stops on SIGTERM: no new connections, requests in flight finish within
# shutdownTimeoutSeconds (default 10 s), exit 0. Give `docker stop` more than that (--stop-timeout 20).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
# Listening on every interface needs the public https issuer: pass the whole command with
# --issuer https://auth.example.com (see docs/deployment.md); without it serve stops with that message.
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--db", "sqlite:/data/portcullis.db"]
