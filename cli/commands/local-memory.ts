// The memory plan `c2i adapt` states before its first phase: the model's plan on the local agents' backend, per
// agent, under its share of the budget (each local agent checks the same plan again when it loads the model).
import { parseHubRef } from "../../agent/checkpoint/hub.ts";
import { planEngine, readMemoryPlan } from "../../agent/models/memory-plan.ts";
import type { LocalAgentDescription } from "../../common/local-agent-protocol.ts";
import { describeMemoryPlan, fitMemoryBudget, formatBytes, type BudgetedMemoryPlan } from "../../common/memory-plan.ts";

export interface LocalMemoryPlan {
  /** Local agents, each holding the model. */
  agents: number;
  /** The budget of every local agent together (`--memory-gib`), and where it came from. */
  budgetBytes: number;
  source: string;
  /** One agent's plan under its share of the budget. */
  perAgent: BudgetedMemoryPlan;
}

export interface LocalMemoryOptions {
  /** The budget of all local agents together, and where it came from (cli/command.ts `memoryBudget`). */
  budget: { bytes: number; source: string };
  /** Each agent's share, as the agents were given it (LocalAgentOptions memoryBudgetBytes). */
  shareBytes: number;
  /** The job's sequences per micro-batch, token cap, and the agents' layer cache bound. */
  rows: number;
  maxTokens?: number;
  layerCacheBytes: number;
}

/**
 * The plan of `model` (a checkpoint directory) on the ready local `agents`, refused (INVALID_ARGUMENT, every part
 * named) when it cannot fit an agent's share. Undefined for a hub reference: the agents download it, then plan it.
 */
export function planLocalAgents(model: string, agents: readonly LocalAgentDescription[], options: LocalMemoryOptions): LocalMemoryPlan | undefined {
  const first = agents[0];
  if (parseHubRef(model) || first === undefined) return undefined;
  // `backend` reads e.g. "wasm+blas(Haswell)" (agent/work/local-engine.ts); agents of this version also send the name alone.
  const engine = planEngine(first.tfBackend ?? first.backend.split("+")[0]!, first.blas);
  const plan = readMemoryPlan(model, { engine, rows: options.rows, layerCacheBytes: options.layerCacheBytes, ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }) });
  const shared = agents.length > 1 ? `${options.budget.source}, shared by ${agents.length} local agents` : options.budget.source;
  return { agents: agents.length, budgetBytes: options.budget.bytes, source: options.budget.source, perAgent: fitMemoryBudget(plan, options.shareBytes, shared) };
}

/** One line for stderr. */
export function describeLocalPlan(p: LocalMemoryPlan): string {
  const agents = `${p.agents} local agent${p.agents === 1 ? "" : "s"} on ${p.perAgent.backend}`;
  return `memory plan per agent (${agents}, ${formatBytes(p.budgetBytes)} in all from ${p.source}): ${describeMemoryPlan(p.perAgent)}`;
}
