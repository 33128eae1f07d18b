// promtool (Debian's prometheus package) accepts the shipped Prometheus configurations.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEPLOY } from "./deploy-files.ts";

const PROMTOOL = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => existsSync(p));

describe.skipIf(!PROMTOOL)("prometheus configs (promtool check config)", () => {
  it.each(["prometheus/prometheus.yml", "k8s/prometheus/prometheus.yml"])("%s passes promtool check config", (file) => {
    const out = execFileSync(PROMTOOL!, ["check", "config", join(DEPLOY, file)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toContain("SUCCESS");
  });

  it("rejects a broken config (the check can fail)", () => {
    expect(() => execFileSync(PROMTOOL!, ["check", "config", "/dev/stdin"], { input: "scrape_configs:\n  - job_name: x\n    scrape_interval: nope\n", stdio: ["pipe", "pipe", "pipe"] })).toThrow();
  });
});
