// The seam every named dataset implements: what `c2i datasets` lists, and a loader from the native files into rows.
import type { Dataset } from "../dataset.ts";

/** Options a named loader takes from the CLI (`--template`) or a job spec (`task.template`). */
export interface DatasetLoadOptions {
  /** Prompt template replacing the dataset's default; `{name}` placeholders, `{{`/`}}` for literal braces. @default the dataset's `template` */
  template?: string;
}

/** A public benchmark read from its own distribution format, prompted and scored the way LASER's code does. */
export interface NamedDataset {
  /** Reference prefix: `--dataset <name>:<file or directory>`. */
  readonly name: string;
  readonly title: string;
  /** Row shape: `answer` (generative on decoders, masked on encoders) or `choice`. */
  readonly protocol: "answer" | "choice";
  /** The native file name(s) read, what a directory must hold, and their format. */
  readonly expects: string;
  /** Default prompt template (LASER's prompt). */
  readonly template: string;
  /** Placeholder name → what it holds for a row. */
  readonly placeholders: Readonly<Record<string, string>>;
  /** Choice texts in label order (choice datasets). */
  readonly choices?: readonly string[];
  /** The answer text's form (answer datasets). */
  readonly answer?: string;
  /** How the gold label or answer is derived from the native row. */
  readonly gold: string;
  load(path: string, options?: DatasetLoadOptions): Dataset;
}
