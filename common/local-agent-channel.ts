// One local agent's message channel: a child process or a worker thread running the agent entry, behind one shape
// (the coordinator's local pool and the agent's ChildRunner both start their compute through it).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { LOCAL_AGENT_ENTRY, localAgentChildArgs, type FromLocalAgent, type LocalAgentOptions, type ToLocalAgent } from "./local-agent-protocol.ts";

export const LocalAgentMode = { child: "child", worker: "worker" } as const;
export type LocalAgentMode = (typeof LocalAgentMode)[keyof typeof LocalAgentMode];

export interface AgentChannel {
  readonly pid: number | undefined;
  send(message: ToLocalAgent): void;
  onMessage(handler: (message: FromLocalAgent) => void): void;
  /** Called once when the agent is gone, whatever the reason. */
  onExit(handler: (code: number | null, detail: string) => void): void;
  /** Hard stop (the graceful path is a `close` message). */
  kill(): void;
}

export interface ChannelOptions {
  mode: LocalAgentMode;
  agent: LocalAgentOptions;
  /** Where the agent entry lives. @default LOCAL_AGENT_ENTRY */
  entry?: URL;
  /** Forward the agent's stderr (its pino logs) to ours. @default true */
  inheritStderr?: boolean;
}

export function openChannel(options: ChannelOptions): AgentChannel {
  const entry = options.entry ?? LOCAL_AGENT_ENTRY;
  if (options.mode === LocalAgentMode.worker) {
    const w = new Worker(entry, { workerData: options.agent, stderr: options.inheritStderr === false });
    // Not inherited: drain the worker's stderr so it never accumulates in memory.
    if (options.inheritStderr === false) w.stderr.resume();
    let exited = false;
    return {
      pid: process.pid,
      send: (m) => w.postMessage(m),
      onMessage: (h) => void w.on("message", h),
      onExit: (h) => {
        let detail = "";
        w.on("error", (e) => (detail = e.message));
        w.on("exit", (code) => {
          if (exited) return;
          exited = true;
          h(code, detail);
        });
      },
      kill: () => void w.terminate(),
    };
  }
  const child = fork(fileURLToPath(entry), localAgentChildArgs(options.agent), {
    serialization: "advanced",
    stdio: ["ignore", "ignore", options.inheritStderr === false ? "ignore" : "inherit", "ipc"],
  });
  let exited = false;
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (h) => void child.on("message", (m) => h(m as FromLocalAgent)),
    onExit: (h) => {
      let detail = "";
      child.on("error", (e) => (detail = e.message));
      child.on("exit", (code, sig) => {
        if (exited) return;
        exited = true;
        h(code, sig ? `killed by ${sig}` : detail);
      });
    },
    kill: () => void child.kill("SIGKILL"),
  };
}
