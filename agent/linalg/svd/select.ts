// Chooses the SVD implementation once at start-up and says which in one log line.
import { describeError } from "../../../common/errors.ts";
import { type Logger, silentLogger } from "../../../common/log.ts";
import { loadLapackSvd } from "./lapack.ts";
import type { Svd, SvdPreference } from "./types.ts";
import { TypeScriptSvd } from "./typescript.ts";

export interface SelectSvdOptions {
  /** "auto" takes LAPACK when it loads, else TypeScript; "lapack" asks for it (falls back with a warning). @default "auto" */
  prefer?: SvdPreference;
  /** @default a silent logger */
  logger?: Logger;
  /** Shared libraries to try for LAPACKE. @default ["liblapacke.so.3", "liblapacke.so"] */
  libraries?: string[];
}

/** Never throws for a missing library: the TypeScript SVD is always there. */
export function selectSvd(options: SelectSvdOptions = {}): Svd {
  const prefer = options.prefer ?? "auto";
  const logger = options.logger ?? silentLogger();
  if (prefer === "typescript") {
    logger.info({ svd: "typescript", prefer }, "SVD: TypeScript float64 (requested)");
    return new TypeScriptSvd();
  }
  try {
    const svd = loadLapackSvd({ libraries: options.libraries });
    logger.info({ svd: svd.name, library: svd.library, prefer }, `SVD: LAPACK dgesdd from ${svd.library}`);
    return svd;
  } catch (e) {
    const msg = `SVD: LAPACK unavailable, using the TypeScript float64 SVD (${describeError(e)})`;
    if (prefer === "lapack") logger.warn({ svd: "typescript", prefer }, msg);
    else logger.info({ svd: "typescript", prefer }, msg);
    return new TypeScriptSvd();
  }
}
