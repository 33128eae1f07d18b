// Bias in Bios rows (LabHC/bias_in_bios dev split exported as JSON Lines): hard_text, profession (0–27), gender (0 male, 1 female).
import { asObject, integerField, stringField, type NativeRecord } from "./fields.ts";
import { inputFiles, recordsOf } from "./source.ts";

export const BIOS_SHAPE = `{"hard_text": string, "profession": 0–27, "gender": 0|1}`;
export const BIOS_EXPECTS =
  `dev.jsonl — the LabHC/bias_in_bios "dev" split as JSON Lines of ${BIOS_SHAPE} (e.g. load_dataset("LabHC/bias_in_bios", split="dev").to_json("dev.jsonl")); a directory must hold dev.jsonl`;

/** LabHC's numeric profession labels (its dataset card), index = label. */
export const PROFESSIONS = [
  "accountant", "architect", "attorney", "chiropractor", "comedian", "composer", "dentist", "dietitian", "dj", "filmmaker",
  "interior designer", "journalist", "model", "nurse", "painter", "paralegal", "pastor", "personal trainer", "photographer",
  "physician", "poet", "professor", "psychologist", "rapper", "software engineer", "surgeon", "teacher", "yoga teacher",
] as const;

export interface BioRow {
  text: string;
  profession: number;
  gender: number;
  line: number;
}

export function readBios(path: string, dataset: string): { files: string[]; rows: BioRow[] } {
  const files = inputFiles(path, ["dev.jsonl"], dataset);
  const rows: BioRow[] = [];
  for (const file of files) {
    for (const { value, where, line } of recordsOf(file, `Bias in Bios records ${BIOS_SHAPE}`) as NativeRecord[]) {
      const record = asObject(value, where, BIOS_SHAPE);
      rows.push({
        text: stringField(record, "hard_text", where),
        profession: integerField(record, "profession", where, PROFESSIONS.map((_, i) => i)),
        gender: integerField(record, "gender", where, [0, 1]),
        line,
      });
    }
  }
  return { files, rows };
}
