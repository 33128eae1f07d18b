// deploy/k8s parses and matches the code: images built by our Dockerfiles, env vars the commands read, probe
// and Service ports equal to the ports the processes bind, a GPU pool with read-only models under --roots.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AGENT_SERVICE_NAME } from "../../agent/server/server.ts";
import { COORDINATOR_SERVICE_NAME } from "../../coordinator/grpc/server.ts";
import { commandEnv, FOREIGN_ENV, portOf, REPO, type ClusterCommand } from "./cli-env.ts";
import { DEPLOY, k8sDocuments, readYaml, type Doc } from "./deploy-files.ts";

const docs = k8sDocuments();
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const find = (kind: string, name: string): Doc => {
  const d = docs.find((x) => x.doc.kind === kind && x.doc.metadata?.name === name);
  if (!d) throw new Error(`deploy/k8s has no ${kind} ${name}`);
  return d.doc;
};
const container = (deployment: Doc): Doc => deployment.spec.template.spec.containers[0];
/** Literal env values of a container (valueFrom entries map to their source). */
const envOf = (c: Doc): Map<string, Doc> => new Map((c.env as Doc[]).map((e) => [e.name as string, e]));
const value = (c: Doc, name: string): string => {
  const v = envOf(c).get(name)?.value;
  if (typeof v !== "string") throw new Error(`${c.name} has no literal ${name}`);
  return v;
};
const port = (c: Doc, name: string): number => (c.ports as Doc[]).find((p) => p.name === name)!.containerPort;

const coordinator = find("Deployment", "c2i-coordinator");
const agent = find("Deployment", "c2i-agent-gpu");

describe("kubernetes manifests", () => {
  it("parse, and each names its apiVersion, kind and object (Helm values apart)", () => {
    for (const { file, doc } of docs) {
      if (file.endsWith("nats/values.yaml")) continue;
      expect(doc.apiVersion, file).toBeTruthy();
      expect(doc.kind, file).toBeTruthy();
      if (doc.kind !== "Kustomization") expect(doc.metadata?.name, file).toBeTruthy();
    }
  });

  it("run images that our Dockerfiles build, tagged with the package version", () => {
    for (const [d, file] of [[coordinator, "coordinator"], [agent, "agent-gpu"]] as const) {
      expect(container(d).image).toBe(`c2i/${file}:${version}`);
      expect(existsSync(join(DEPLOY, "docker", `${file}.Dockerfile`))).toBe(true);
    }
  });

  it("set only env vars the coordinator and agent commands read", () => {
    for (const [d, command] of [[coordinator, "coordinator"], [agent, "agent"]] as [Doc, ClusterCommand][]) {
      const known = commandEnv(command);
      for (const name of envOf(container(d)).keys()) {
        expect(known.has(name) || FOREIGN_ENV.has(name), `${d.metadata.name}: ${name} is not read by c2i ${command}`).toBe(true);
      }
    }
  });

  it("expose and probe the ports the processes bind, with gRPC health on the served service names", () => {
    for (const [d, service] of [[coordinator, COORDINATOR_SERVICE_NAME], [agent, AGENT_SERVICE_NAME]] as const) {
      const c = container(d);
      expect(port(c, "grpc")).toBe(portOf(value(c, "C2I_LISTEN")));
      expect(port(c, "metrics")).toBe(portOf(value(c, "C2I_METRICS")));
      expect(value(c, "C2I_LISTEN")).toMatch(/^0\.0\.0\.0:/);
      expect(c.readinessProbe.grpc).toEqual({ port: port(c, "grpc"), service });
      expect(c.livenessProbe.grpc.port).toBe(port(c, "grpc"));
    }
  });

  it("give Services selectors that match the pods and target ports the containers name", () => {
    for (const [svc, d] of [["c2i-coordinator", coordinator], ["c2i-agent", agent]] as const) {
      const s = find("Service", svc);
      const labels = d.spec.template.metadata.labels as Record<string, string>;
      for (const [k, v] of Object.entries(s.spec.selector as Record<string, string>)) expect(labels[k], `${svc} selector ${k}`).toBe(v);
      const names = (container(d).ports as Doc[]).map((p) => p.name);
      for (const p of s.spec.ports as Doc[]) expect(names, `${svc} port ${p.name}`).toContain(p.targetPort);
    }
    expect(find("Service", "c2i-agent").spec.clusterIP).toBe("None");
  });

  it("take the coordinator's and the agents' token from the same Secret", () => {
    const ref = (d: Doc, name: string) => envOf(container(d)).get(name)?.valueFrom?.secretKeyRef;
    expect(ref(coordinator, "C2I_TOKEN")).toEqual({ name: "c2i-token", key: "token" });
    expect(ref(agent, "C2I_AGENT_TOKEN")).toEqual(ref(coordinator, "C2I_TOKEN"));
  });

  it("run agents as a GPU pool: one nvidia.com/gpu each, on GPU nodes, advertising the pod IP", () => {
    const spec = agent.spec.template.spec;
    const c = container(agent);
    expect(c.resources.limits["nvidia.com/gpu"]).toBe(1);
    expect(c.resources.requests["nvidia.com/gpu"]).toBe(1);
    expect(Object.keys(spec.nodeSelector)).toContain("nvidia.com/gpu.present");
    expect(spec.tolerations).toContainEqual(expect.objectContaining({ key: "nvidia.com/gpu", effect: "NoSchedule" }));
    expect(value(c, "C2I_BACKEND")).toBe("tensorflow-gpu");
    expect(value(c, "TF_FORCE_GPU_ALLOW_GROWTH")).toBe("true");
    const names = [...envOf(c).keys()];
    expect(value(c, "C2I_ADVERTISE")).toBe(`$(POD_IP):${port(c, "grpc")}`);
    expect(envOf(c).get("POD_IP")?.valueFrom?.fieldRef?.fieldPath).toBe("status.podIP");
    expect(names.indexOf("POD_IP")).toBeLessThan(names.indexOf("C2I_ADVERTISE"));
  });

  it("mount the model PVC read-only at an agent root, every root is a mount, and the hub cache is writable", () => {
    const spec = agent.spec.template.spec;
    const c = container(agent);
    const roots = value(c, "C2I_ROOTS").split(",");
    const mounts = c.volumeMounts as Doc[];
    expect(mounts.map((m) => m.mountPath).sort()).toEqual([...roots].sort());
    const models = (spec.volumes as Doc[]).find((v) => v.persistentVolumeClaim)!;
    expect(models.persistentVolumeClaim.readOnly).toBe(true);
    expect(mounts.find((m) => m.name === models.name)!.readOnly).toBe(true);
    const pvc = find("PersistentVolumeClaim", models.persistentVolumeClaim.claimName);
    expect(pvc.spec.accessModes).toContain("ReadOnlyMany");
    const cache = value(c, "C2I_HF_CACHE");
    const holder = mounts.find((m) => cache.startsWith(m.mountPath + "/"));
    expect(holder && !holder.readOnly, `C2I_HF_CACHE ${cache} on a writable mount`).toBe(true);
  });

  it("use NATS from the official chart's values with JetStream on a file store, at the Service the env names", () => {
    const values = readYaml(join(DEPLOY, "k8s/nats/values.yaml"));
    expect(values.config.jetstream.enabled).toBe(true);
    expect(values.config.jetstream.fileStore.pvc.enabled).toBe(true);
    const text = readFileSync(join(DEPLOY, "k8s/nats/values.yaml"), "utf8");
    expect(text).toContain("https://nats-io.github.io/k8s/helm/charts/");
    const release = /helm install (\S+) nats\/nats/.exec(text)![1];
    for (const d of [coordinator, agent]) expect(value(container(d), "C2I_NATS")).toBe(`nats://${release}:4222`);
  });

  it("scrape the Services' metrics ports, by DNS (plain Prometheus) and by ServiceMonitor (Operator)", () => {
    const prom = readYaml(join(DEPLOY, "k8s/prometheus/prometheus.yml"));
    const job = (n: string) => (prom.scrape_configs as Doc[]).find((s) => s.job_name === n)!;
    const ns = find("Namespace", "c2i").metadata.name;
    const metricsPort = (svc: string) => (find("Service", svc).spec.ports as Doc[]).find((p) => p.name === "metrics")!.port;
    expect(job("c2i-coordinator").static_configs[0].targets).toEqual([`c2i-coordinator.${ns}.svc:${metricsPort("c2i-coordinator")}`]);
    expect(job("c2i-agent").dns_sd_configs[0]).toMatchObject({ names: [`c2i-agent.${ns}.svc`], type: "A", port: metricsPort("c2i-agent") });
    const monitor = docs.find((d) => d.doc.kind === "ServiceMonitor")!.doc;
    expect(monitor.spec.namespaceSelector.matchNames).toEqual([ns]);
    expect(monitor.spec.endpoints.map((e: Doc) => e.port)).toEqual(["metrics"]);
  });

  it("list every manifest in the kustomization, in the namespace c2i", () => {
    const k = readYaml(join(DEPLOY, "k8s/kustomization.yaml"));
    expect(k.namespace).toBe("c2i");
    const top = readdirSync(join(DEPLOY, "k8s")).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...k.resources].sort()).toEqual(top.sort());
  });
});
