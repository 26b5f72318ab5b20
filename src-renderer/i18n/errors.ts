// Says an error in the reader's language from its code (and params), never from the English
// message the core or server attached.
import type { TFunction } from 'i18next';
import type { ErrorBody } from '../../src-shared/errors';
import { IpcError } from '../bridge/client';
import { describeErrorBody } from './errorBody';

export { describeErrorBody };

export function describeError(t: TFunction, error: unknown, nameOf?: (id: string) => string): string {
  const body: Pick<ErrorBody, 'code' | 'params'> =
    error instanceof IpcError ? { code: error.code, params: error.params } : { code: 'INTERNAL' };
  return describeErrorBody(t, body, nameOf);
}
