import { BaseError } from '@swarm/core';

/** A refused request: an HTTP status and the `{code, message, field}` every API error carries. */
export class RequestError extends BaseError {
  override name = 'RequestError';
  readonly status: number;
  constructor(status: number, code: string, message: string, field?: string) {
    super(code, message, { field });
    this.status = status;
  }
}

export const badRequest = (code: string, message: string, field?: string) => new RequestError(400, code, message, field);
export const unauthorized = (message: string, field?: string) => new RequestError(401, 'BAD_SIGNATURE', message, field);
export const forbidden = (code: string, message: string, field?: string) => new RequestError(403, code, message, field);
export const notFound = (code: string, message: string, field?: string) => new RequestError(404, code, message, field);
export const conflict = (code: string, message: string, field?: string) => new RequestError(409, code, message, field);
export const paymentRequired = (message: string, field?: string) => new RequestError(402, 'INSUFFICIENT_FUNDS', message, field);
