#!/usr/bin/env bash
# Regenerates proto/gen (committed TypeScript types for proto/c2i/v1) with proto-loader-gen-types.
# Usage: scripts/gen-proto-types.sh [OUT_DIR]   (default proto/gen; test/contracts checks it is current)
# The flags here must match the loader options in proto/load.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-proto/gen}"
rm -rf "$out"
mkdir -p "$out"
npx --no-install proto-loader-gen-types --grpcLib @grpc/grpc-js --longs Number --defaults --oneofs \
  -I proto -O "$out" c2i/v1/shards.proto c2i/v1/memory.proto c2i/v1/agent.proto c2i/v1/coordinator.proto
# ESM under NodeNext resolution needs explicit extensions on relative imports.
find "$out" -name '*.ts' -print0 | xargs -0 sed -i -E "s#(from '\.[^']*)';#\1.ts';#"
