import type { Core } from '../core';
import { tagsInUse } from '../core/mirror/queries';
import type { AreaHandlers } from './handlers';

export function tagHandlers(core: Core): AreaHandlers<'tags.'> {
  return {
    'tags.list': () => tagsInUse(core.reader().db),
  };
}
