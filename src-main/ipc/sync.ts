import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function syncHandlers(core: Core): AreaHandlers<'sync.'> {
  return { 'sync.status': () => core.syncStatus() };
}
