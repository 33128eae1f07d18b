# syntax=docker/dockerfile:1.7
# The c2i coordinator: CoordinatorService (gRPC), scheduling, JetStream job store, /metrics. No compute, so no
# native libraries: Node 20 on Debian bookworm, the TypeScript sources run through tsx (no build step).
# Build from the repository root: docker build -f deploy/docker/coordinator.Dockerfile -t c2i/coordinator:0.1.0 .

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed here (koffi and esbuild come as prebuilt platform packages),
# and it keeps the optional GPU package from downloading libtensorflow; that package is then dropped.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@tensorflow/tfjs-node-gpu \
 && npm cache clean --force

FROM node:20.20.2-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    C2I_LISTEN=0.0.0.0:7070 \
    C2I_METRICS=0.0.0.0:9464 \
    C2I_LOG_LEVEL=info
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY common ./common
COPY proto ./proto
COPY coordinator ./coordinator
# cli/ registers every command, agent ones included, so their modules must resolve too.
COPY agent ./agent
USER node
# 7070: CoordinatorService + grpc.health.v1 (C2I_LISTEN); 9464: Prometheus GET /metrics (C2I_METRICS).
EXPOSE 7070 9464
ENTRYPOINT ["node", "/app/bin/c2i.mjs", "coordinator"]
