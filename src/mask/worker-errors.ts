/**
 * Errors across the worker-thread boundary. Structured clone keeps only the
 * message and stack of an Error, so a mask failure would arrive without its
 * stable code, next step and cause chain; these carry them as data and rebuild
 * the same classes on the copying thread. Messages are already value-free
 * (maskFailure scrubs them before they get here).
 */
import { AnonymizationError } from '../anonymize/index.js';
import { PgtwinError, type ErrorCategory } from '../errors.js';
import { MaskRowError } from './row-masker.js';

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly category?: ErrorCategory;
  readonly nextStep?: string;
  readonly details?: readonly string[];
  readonly site?: { readonly table: string; readonly column: string; readonly strategy: string };
  readonly maskedColumn?: number;
  readonly row?: number;
  readonly cause?: SerializedError;
}

const MAX_DEPTH = 5;

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const cause = error.cause !== undefined && depth < MAX_DEPTH ? serializeError(error.cause, depth + 1) : undefined;
  const base = { name: error.name, message: error.message, ...(cause === undefined ? {} : { cause }) };
  if (error instanceof AnonymizationError) {
    return { ...base, ...pgtwinFields(error), site: { table: error.table, column: error.column, strategy: error.strategy } };
  }
  if (error instanceof PgtwinError) return { ...base, ...pgtwinFields(error) };
  if (error instanceof MaskRowError) return { ...base, maskedColumn: error.column, row: error.row };
  return base;
}

export function deserializeError(data: SerializedError): Error {
  const cause = data.cause === undefined ? undefined : deserializeError(data.cause);
  const options = { ...(cause === undefined ? {} : { cause }), nextStep: data.nextStep, details: data.details ?? [] };
  if (data.code !== undefined && data.category !== undefined) {
    if (data.site !== undefined) return new AnonymizationError(data.site, data.message, options);
    return new PgtwinError(data.code, data.category, data.message, options);
  }
  if (data.maskedColumn !== undefined && data.row !== undefined) {
    return new MaskRowError(data.maskedColumn, data.row, data.message, cause === undefined ? undefined : { cause });
  }
  const error = new Error(data.message, cause === undefined ? undefined : { cause });
  error.name = data.name;
  return error;
}

function pgtwinFields(error: PgtwinError): Pick<SerializedError, 'code' | 'category' | 'nextStep' | 'details'> {
  return {
    code: error.code,
    category: error.category,
    ...(error.nextStep === undefined ? {} : { nextStep: error.nextStep }),
    details: error.details,
  };
}
