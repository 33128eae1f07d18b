// Repairs UTF-8 text that was once decoded as Windows-1252 ("â€™" for "’", "Ã©" for "é"): the mojibake of text exports such as the TinyStories HF export.

/**
 * Windows-1252 bytes 0x80–0x9F as characters. Its five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are
 * listed as the C1 control of the same value, which is what lenient decoders produce for them.
 */
const CP1252_80_9F = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

/** A character's Windows-1252 byte, for the characters that stand for bytes 0x80–0xFF. */
function cp1252Byte(ch: string): number {
  const code = ch.codePointAt(0)!;
  const i = CP1252_80_9F.indexOf(ch);
  return i >= 0 ? 0x80 + i : code;
}

/** A UTF-8 lead byte (0xC2–0xF4 read as Latin-1) followed by up to three continuation bytes (0x80–0xBF read as Windows-1252). */
const CANDIDATE = new RegExp(`[\\u00c2-\\u00f4]([${CP1252_80_9F}\\u00a0-\\u00bf]{1,3})`, "g");

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export interface MojibakeRepair {
  text: string;
  /** Sequences replaced. */
  repaired: number;
}

/**
 * Re-decodes every sequence that is the Windows-1252 reading of one UTF-8 character ("â€œ" → "“", "â€™" → "’",
 * "â€“" → "–", "Ã©" → "é"); a sequence that is not valid UTF-8 is left alone, so text without mojibake comes back unchanged.
 * "â€" with no third character is taken as "”": its last byte, 0x9D, is undefined in Windows-1252 and exports drop it
 * (the bytes E2 80 9D are the right double quote; the other E2 80 xx characters whose xx is undefined are rare spaces and marks).
 */
export function repairMojibake(text: string): MojibakeRepair {
  let repaired = 0;
  const out = text.replace(CANDIDATE, (match: string, tail: string) => {
    const lead = match.charCodeAt(0);
    const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
    if (tail.length < need) {
      if (match === "â€") {
        repaired++;
        return "”";
      }
      return match;
    }
    const bytes = Uint8Array.from([lead, ...[...tail.slice(0, need)].map(cp1252Byte)]);
    let decoded: string;
    try {
      decoded = strictUtf8.decode(bytes);
    } catch {
      return match;
    }
    repaired++;
    return decoded + tail.slice(need);
  });
  return { text: out, repaired };
}

/** Whether `text` still holds a Windows-1252 reading of a UTF-8 punctuation mark or Latin-1 letter ("â€", "Ã©", "Â "). */
export function hasMojibake(text: string): boolean {
  return /â€|[ÂÃ][\u00a0-\u00bf]/.test(text);
}
