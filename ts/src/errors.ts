/** Stable error codes. Tests and users branch on these, never on message text. */
export type LossErrorCode =
  /** Two arguments' shapes disagree, or a shape does not fit its data. */
  | "SHAPE_MISMATCH"
  /** A target holds a value the loss cannot accept (class index out of range, ...). */
  | "INVALID_TARGET"
  /** An option is unknown or outside its domain (negative beta, bad reduction, ...). */
  | "INVALID_OPTION"
  /** An input value is outside the loss's domain where PyTorch raises (BCE input ∉ [0, 1], negative var). */
  | "INVALID_INPUT"
  /** Float32 and Float64 data were mixed, or a float argument got integer data (or the reverse). */
  | "DTYPE_MISMATCH"
  /** An argument is not a typed array, number[], tensor or (where allowed) number. */
  | "INVALID_ARGUMENT"
  /** A disposed wasm tensor was used. */
  | "DISPOSED";

/**
 * The error every losskit function throws for bad input: a stable {@link LossErrorCode}
 * and a message naming the function, the argument, what was expected and what was given.
 * After a LossError the module keeps working and has leaked no memory.
 */
export class LossError extends Error {
  readonly code: LossErrorCode;
  constructor(code: LossErrorCode, message: string) {
    super(message);
    this.name = "LossError";
    this.code = code;
  }
}

/** `grad_output` → `gradOutput`: the core names arguments in snake_case, the API in camelCase. */
function camelCase(name: string): string {
  return name
    .split("_")
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join("");
}

/**
 * Rethrows an error from a wasm call as a LossError. The core's error carries its stable
 * `code`, the argument it is about (`arg`, snake_case) and the detail as its message; the
 * LossError's message reads `${func}: ${argument} ${detail}`.
 */
export function rethrow(e: unknown, func: string): never {
  const core = e as { code?: unknown; arg?: unknown; message?: unknown };
  if (e instanceof Error && typeof core.code === "string") {
    const arg = typeof core.arg === "string" ? `${camelCase(core.arg)} ` : "";
    throw new LossError(core.code as LossErrorCode, `${func}: ${arg}${e.message}`);
  }
  throw e;
}

/** Describes a value for messages: `Float32Array(7)`, `number[3]`, `string`. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `number[${v.length}]`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (typeof v === "object") return "object";
  return typeof v;
}
