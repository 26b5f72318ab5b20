import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function appHandlers(core: Core): AreaHandlers<'app.'> {
  return { 'app.info': () => core.info() };
}
