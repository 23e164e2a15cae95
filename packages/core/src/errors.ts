/**
 * One error hierarchy for the whole domain. Caller faults carry a stable `code` and the `field`
 * they concern, so adapters can map them to a 4xx in one place; an `InvariantError` is a bug and
 * must halt whatever was running (an epoch close, say) rather than produce a wrong payout.
 */
export type BaseErrorParameters = {
  details?: string | undefined;
  field?: string | undefined;
  cause?: unknown;
};

export class BaseError extends Error {
  override name = 'BaseError';
  readonly code: string;
  readonly field: string | undefined;
  readonly details: string | undefined;

  constructor(code: string, message: string, params: BaseErrorParameters = {}) {
    super(params.field === undefined ? message : `${params.field}: ${message}`, {
      cause: params.cause,
    });
    this.code = code;
    this.field = params.field;
    this.details = params.details;
  }

  /** The wire form used by every API answer: `{code, message, field}`. */
  toJSON(): { code: string; message: string; field?: string } {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

/** The caller sent something malformed or out of range; nothing was computed or stored. */
export class InvalidArgumentError extends BaseError {
  override name = 'InvalidArgumentError';
  constructor(field: string, message: string, code = 'INVALID_ARGUMENT') {
    super(code, message, { field });
  }
}

/** A parameter set that fails its whole-set validation. */
export class InvalidParamsError extends BaseError {
  override name = 'InvalidParamsError';
  constructor(field: string, message: string) {
    super('INVALID_PARAMS', message, { field });
  }
}

/** Something that cannot happen did: a bug. Never caught to carry on. */
export class InvariantError extends BaseError {
  override name = 'InvariantError';
  constructor(message: string, details?: string) {
    super('INVARIANT_VIOLATED', message, { details });
  }
}
