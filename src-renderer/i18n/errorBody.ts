// Says an error body (a code and its params) in the reader's language; pure, so unit tests read it too.
import type { TFunction } from 'i18next';
import type { ErrorBody } from '../../src-shared/errors';

export function describeErrorBody(t: TFunction, body: Pick<ErrorBody, 'code' | 'params'>, nameOf?: (id: string) => string): string {
  const assigneeId = body.params?.assigneeId;
  if (body.code === 'ALREADY_ASSIGNED' && assigneeId && nameOf) return t('errors.ALREADY_ASSIGNED_TO', { name: nameOf(assigneeId) });
  // A refused reopen: the other active conversation is named only when the reader may see it.
  if (body.code === 'INVALID_TRANSITION' && body.params?.reason === 'activeConversation') return t('scopeAnswers.activeConversation');
  if (body.code === 'INVALID_TRANSITION' && body.params?.reason === 'activeElsewhere') return t('scopeAnswers.activeElsewhere');
  const userId = body.params?.userId;
  if (body.code === 'FORBIDDEN' && body.params?.reason === 'mentionCannotSee' && userId)
    return t('scopeAnswers.mentionCannotSee', { name: nameOf ? nameOf(userId) : '' });
  return t(`errors.${body.code}`);
}
