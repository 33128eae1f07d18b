# syntax=docker/dockerfile:1.7
# A CPU c2i agent: Node 20 on Debian bookworm with LAPACKE (native SVD through koffi, liblapacke.so.3) and
# pthreads OpenBLAS (libopenblas0-pthread provides libblas.so.3 for the tfjs matmul kernels). The tfjs
# backend is chosen by --backend auto (wasm, then cpu) since tfjs-node-gpu is not in this image.
# Build from the repository root: docker build -f deploy/docker/agent-cpu.Dockerfile -t c2i/agent-cpu:0.1.0 .

FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@tensorflow/tfjs-node-gpu \
 && npm cache clean --force

FROM node:20.20.2-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends liblapacke libopenblas0-pthread ca-certificates hostname \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# /models: read-only model and dataset storage; /cache: writable hub downloads. Both are --roots.
RUN mkdir -p /models /cache/hf && chown -R node:node /cache
ENV NODE_ENV=production \
    C2I_LISTEN=0.0.0.0:7071 \
    C2I_METRICS=0.0.0.0:9465 \
    C2I_ROOTS=/models,/cache \
    C2I_HF_CACHE=/cache/hf \
    C2I_BACKEND=auto \
    C2I_LOG_LEVEL=info
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY common ./common
COPY proto ./proto
COPY agent ./agent
COPY coordinator ./coordinator
COPY deploy/docker/agent-entrypoint.sh ./deploy/docker/agent-entrypoint.sh
USER node
# 7071: AgentService + grpc.health.v1 (C2I_LISTEN); 9465: Prometheus GET /metrics (C2I_METRICS).
EXPOSE 7071 9465
ENTRYPOINT ["/app/deploy/docker/agent-entrypoint.sh"]
