import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function demoHandlers(core: Core): AreaHandlers<'demo.'> {
  return { 'demo.start': () => core.startDemo() };
}
