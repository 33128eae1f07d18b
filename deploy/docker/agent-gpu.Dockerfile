# syntax=docker/dockerfile:1.7
# A GPU c2i agent: @tensorflow/tfjs-node-gpu 4.22 (package-lock) on NVIDIA's CUDA + cuDNN runtime image.
#
# Why this base: tfjs-node-gpu 4.22 downloads and binds libtensorflow 2.9.1, which TensorFlow builds against
# CUDA 11.2 and cuDNN 8.1 (tensorflow.org "tested build configurations"; tfjs-node README: CUDA 11.2,
# cuDNN 8.1.0, driver > 450). nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 ships exactly the CUDA 11.2
# runtime libraries with cuDNN 8.1.1 (same 8.1 ABI); a newer CUDA 11.x would also load, CUDA 12 would not.
# Host driver: ≥ 460.32 for CUDA 11.2 (newer drivers are backward compatible). One agent per GPU: run one
# container per device (compose device_ids, Kubernetes nvidia.com/gpu: 1).
# Node 20 comes from the official node image (its binaries need glibc ≥ 2.28; Ubuntu 20.04 has 2.31).
# Build from the repository root: docker build -f deploy/docker/agent-gpu.Dockerfile -t c2i/agent-gpu:0.1.0 .

FROM node:20.20.2-bookworm-slim AS node

FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS deps
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
# Toolchain only for node-pre-gyp's fallback build of the tfjs binding if its prebuilt download fails.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off for everything, then on for tfjs-node-gpu alone: it fetches libtensorflow-gpu 2.9.1 and its
# N-API binding into node_modules/@tensorflow/tfjs-node-gpu (deps/lib, lib/napi-v8). The file test fails the
# build if a tfjs-node-gpu upgrade moves to another libtensorflow: then revisit the CUDA base above.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild @tensorflow/tfjs-node-gpu \
 && test -e node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow.so.2.9.1 \
 && npm cache clean --force

FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# LAPACKE for the native SVD and pthreads OpenBLAS, as on CPU agents; hostname for the entrypoint.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends liblapacke libopenblas0-pthread ca-certificates hostname \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1000 --create-home c2i \
 && mkdir -p /models /cache/hf && chown -R c2i:c2i /cache
WORKDIR /app
# TF_FORCE_GPU_ALLOW_GROWTH: TensorFlow otherwise maps almost all GPU memory at start-up; growing on demand
# keeps the DCGM memory panel honest and leaves room for the CUDA context of a restarted agent.
ENV NODE_ENV=production \
    TF_FORCE_GPU_ALLOW_GROWTH=true \
    TF_CPP_MIN_LOG_LEVEL=1 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    C2I_LISTEN=0.0.0.0:7071 \
    C2I_METRICS=0.0.0.0:9465 \
    C2I_ROOTS=/models,/cache \
    C2I_HF_CACHE=/cache/hf \
    C2I_BACKEND=tensorflow-gpu \
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
USER c2i
EXPOSE 7071 9465
ENTRYPOINT ["/app/deploy/docker/agent-entrypoint.sh"]
