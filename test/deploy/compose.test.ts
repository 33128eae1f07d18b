// deploy/docker-compose.yml parses and wires what the code really uses: Dockerfiles that exist, env vars the
// commands read, ports they bind, GPU reservations one device per agent, roots that match the volumes.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { commandEnv, FOREIGN_ENV, portOf, REPO, type ClusterCommand } from "./cli-env.ts";
import { DEPLOY, GRAFANA, dockerfile, imageCommand, readYaml, type Doc } from "./deploy-files.ts";

const compose = readYaml(join(DEPLOY, "docker-compose.yml"));
const services = compose.services as Record<string, Doc>;
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

/** Compose's `${VAR:-default}` / `${VAR:?message}` as the value it takes with no environment set. */
function defaulted(text: string): string {
  return text.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, "$1");
}

function commandOf(name: string): ClusterCommand | undefined {
  const build = services[name]!.build as { context: string; dockerfile: string } | undefined;
  return build ? imageCommand(dockerfile(resolve(DEPLOY, build.context, build.dockerfile))) : undefined;
}

const c2iServices = Object.keys(services).filter((s) => commandOf(s) !== undefined);
const agents = c2iServices.filter((s) => commandOf(s) === "agent");
const env = (name: string) => services[name]!.environment as Record<string, string>;

describe("docker-compose.yml", () => {
  it("builds every c2i image from a Dockerfile that exists, tagged c2i/<Dockerfile name>:<package version>", () => {
    expect(c2iServices).toContain("coordinator");
    expect(agents.length).toBeGreaterThanOrEqual(3);
    for (const name of c2iServices) {
      const { context, dockerfile: file } = services[name]!.build as { context: string; dockerfile: string };
      const path = resolve(DEPLOY, context, file);
      expect(existsSync(path), `${name}: ${path}`).toBe(true);
      expect(resolve(DEPLOY, context)).toBe(REPO);
      const base = file.split("/").at(-1)!.replace(/\.Dockerfile$/, "");
      expect(defaulted(services[name]!.image), name).toBe(`c2i/${base}:${version}`);
    }
  });

  it("pins every third-party image to a version tag", () => {
    for (const [name, s] of Object.entries(services)) {
      const image = defaulted(String(s.image));
      expect(image, name).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it("sets only env vars that the command of each image reads (from its flag definitions)", () => {
    for (const name of c2iServices) {
      const known = commandEnv(commandOf(name)!);
      for (const key of Object.keys(env(name))) {
        expect(known.has(key) || FOREIGN_ENV.has(key), `${name}: ${key} is not read by c2i ${commandOf(name)} (it reads ${[...known].join(", ")})`).toBe(true);
      }
    }
  });

  it("points coordinator and agents at the NATS service with JetStream on a persistent volume, and shares one token", () => {
    const nats = services.nats!;
    expect(nats.command).toContain("-js");
    const storeDir = nats.command[nats.command.indexOf("-sd") + 1];
    const volume = (nats.volumes as string[]).find((v) => v.endsWith(`:${storeDir}`))!;
    expect(volume, "a volume at the JetStream store dir").toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(volume.split(":")[0]);
    for (const name of c2iServices) expect(env(name).C2I_NATS, name).toBe("nats://nats:4222");
    expect(env("coordinator").C2I_TOKEN).toMatch(/^\$\{C2I_TOKEN:\?/);
    for (const a of agents) expect(env(a).C2I_AGENT_TOKEN, a).toBe(env("coordinator").C2I_TOKEN);
  });

  it("publishes the coordinator's gRPC port and lets Prometheus scrape every c2i service on its metrics port", () => {
    const listen = portOf(env("coordinator").C2I_LISTEN);
    expect(services.coordinator!.ports).toContain(`${listen}:${listen}`);
    const prom = readYaml(join(DEPLOY, "prometheus/prometheus.yml"));
    const job = (n: string) => (prom.scrape_configs as Doc[]).find((s) => s.job_name === n)!;
    expect(job("c2i-coordinator").static_configs[0].targets).toEqual([`coordinator:${portOf(env("coordinator").C2I_METRICS)}`]);
    const dns = job("c2i-agent").dns_sd_configs[0];
    expect([...dns.names].sort()).toEqual([...agents].sort());
    for (const a of agents) expect(portOf(env(a).C2I_METRICS), a).toBe(dns.port);
    const mount = (services.prometheus!.volumes as string[]).find((v) => v.includes("prometheus.yml"))!;
    expect(existsSync(resolve(DEPLOY, mount.split(":")[0]!))).toBe(true);
  });

  it("runs one GPU agent per GPU: distinct device ids, the tensorflow-gpu backend, a dialable advertised address", () => {
    const gpu = agents.filter((a) => services[a]!.deploy?.resources?.reservations?.devices);
    expect(gpu.length).toBeGreaterThanOrEqual(2);
    const ids: string[] = [];
    for (const a of gpu) {
      const [device] = services[a]!.deploy.resources.reservations.devices as Doc[];
      expect(device!.driver).toBe("nvidia");
      expect(device!.capabilities).toContain("gpu");
      expect(device!.device_ids, a).toHaveLength(1);
      ids.push(device!.device_ids[0]);
      expect(env(a).C2I_BACKEND).toBe("tensorflow-gpu");
      expect(env(a).C2I_ADVERTISE).toBe(`${a}:${portOf(env(a).C2I_LISTEN)}`);
      expect(services[a]!.profiles).toEqual(["gpu"]);
    }
    expect(new Set(ids).size).toBe(ids.length);
    const cpu = agents.filter((a) => !gpu.includes(a));
    expect(cpu.length).toBeGreaterThan(0);
    for (const a of cpu) expect(services[a]!.profiles).toEqual(["cpu"]);
    expect(readFileSync(join(DEPLOY, ".env"), "utf8")).toMatch(/^COMPOSE_PROFILES=gpu$/m);
  });

  it("mounts the model storage read-only under an agent root and the hub cache writable under another", () => {
    for (const a of agents) {
      const roots = env(a).C2I_ROOTS!.split(",");
      const mounts = (services[a]!.volumes as string[]).map((v) => {
        const [, target, mode] = defaulted(v).split(":");
        return { target: target!, readOnly: mode === "ro" };
      });
      expect(mounts.map((m) => m.target).sort(), a).toEqual([...roots].sort());
      expect(mounts.find((m) => m.target === "/models")?.readOnly, a).toBe(true);
      const cache = env(a).C2I_HF_CACHE!;
      const holder = mounts.find((m) => cache.startsWith(m.target + "/"));
      expect(holder && !holder.readOnly, `${a}: C2I_HF_CACHE ${cache} on a writable mount`).toBe(true);
    }
  });

  it("provisions Grafana from grafana/ with the dashboards where the provider looks and the Prometheus service as datasource", () => {
    const g = services.grafana!;
    const mounts = (g.volumes as string[]).map((v) => v.split(":"));
    for (const [src] of mounts.filter(([src]) => src!.startsWith("."))) expect(existsSync(resolve(DEPLOY, src!)), src).toBe(true);
    const provider = readYaml(join(GRAFANA, "provisioning/dashboards/c2i.yml")).providers[0];
    const dashboards = mounts.find(([src]) => resolve(DEPLOY, src!) === join(GRAFANA, "dashboards"))!;
    expect(dashboards[1]).toBe(provider.options.path);
    expect(mounts.find(([src]) => resolve(DEPLOY, src!) === join(GRAFANA, "provisioning"))![1]).toBe("/etc/grafana/provisioning");
    expect(readFileSync(join(GRAFANA, "provisioning/datasources/prometheus.yml"), "utf8")).toContain("${PROMETHEUS_URL}");
    expect(g.environment.PROMETHEUS_URL).toBe("http://prometheus:9090");
    expect(services.prometheus!.ports).toContain("9090:9090");
  });
});
