import type { Core } from '../core';
import { listTemplates } from '../core/mirror/templates';
import type { AreaHandlers } from './handlers';

export function templateHandlers(core: Core): AreaHandlers<'template.'> {
  return {
    'template.list': ({ inboxId }) => listTemplates(core.reader().db, inboxId),
  };
}
