// Create, edit or delete a saved view: its filters (status, channel, inbox, team, assignee, tag,
// unread, waiting since), its sort, and whether it is personal or shared with a team.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNELS, CONVERSATION_STATUSES, type ViewFilters } from '../../src-shared/domain';
import type { Session } from '../../src-shared/ipc';
import { seesEverything } from '../../src-shared/rules/visibility';
import { call } from '../bridge/client';
import { perform } from '../state/perform';
import { directoryQuery, keys, savedViewsQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Checks } from './Checks';
import { Modal } from './Modal';

export function SavedViewDialog({ viewId, session }: { viewId: string | null; session: Session }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const close = () => openDialog(null);
  const directory = useQuery(directoryQuery());
  const views = useQuery(savedViewsQuery());
  const queryClient = useQueryClient();
  const existing = viewId ? views.data?.find((v) => v.id === viewId) : undefined;
  const f = existing?.filters ?? {};
  const [name, setName] = useState(existing?.name ?? '');
  const [teamId, setTeamId] = useState(existing?.teamId ?? '');
  const [sort, setSort] = useState(existing?.sort ?? 'newest');
  const [statuses, setStatuses] = useState<string[]>(f.statuses ?? []);
  const [channels, setChannels] = useState<string[]>(f.channels ?? []);
  const [inboxIds, setInboxIds] = useState<string[]>(f.inboxIds ?? []);
  const [teamIds, setTeamIds] = useState<string[]>(f.teamIds ?? []);
  const [assignees, setAssignees] = useState<string[]>(f.assignees ?? []);
  const [tags, setTags] = useState((f.tags ?? []).join(', '));
  const [unreadOnly, setUnreadOnly] = useState(f.unreadOnly ?? false);
  const [waiting, setWaiting] = useState(f.waitingMinutes ? String(f.waitingMinutes) : '');
  const ids = { name: useId(), share: useId(), sort: useId(), tags: useId(), waiting: useId() };
  const teams = directory.data?.teams ?? [];
  const me = directory.data?.users.find((u) => u.id === session.user.id) ?? session.user;
  const shareable = teams.filter((tm) => seesEverything(me.role) || me.teamIds.includes(tm.id));
  const users = (directory.data?.users ?? []).filter((u) => u.active);
  const mine = !existing || existing.ownerId === session.user.id || seesEverything(me.role);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const filters: ViewFilters = {};
    if (statuses.length) filters.statuses = statuses as ViewFilters['statuses'];
    if (channels.length) filters.channels = channels as ViewFilters['channels'];
    if (inboxIds.length) filters.inboxIds = inboxIds;
    if (teamIds.length) filters.teamIds = teamIds;
    if (assignees.length) filters.assignees = assignees;
    const tagList = tags
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (tagList.length) filters.tags = tagList;
    if (unreadOnly) filters.unreadOnly = true;
    const minutes = Number.parseInt(waiting, 10);
    if (Number.isFinite(minutes) && minutes > 0) filters.waitingMinutes = minutes;
    const saved = await perform(call('view.save', { id: existing?.id, name: name.trim(), teamId: teamId || null, filters, sort }));
    if (saved) {
      // The sidebar drops a current view it does not list: read the new view before opening it.
      await queryClient.invalidateQueries({ queryKey: keys.savedViews });
      useUi.getState().setView({ kind: 'saved', viewId: saved.id });
      close();
    }
  };
  const remove = async () => {
    if (!existing) return;
    if (await perform(call('view.delete', { id: existing.id }))) {
      useUi.getState().setView({ kind: 'mine' });
      close();
    }
  };

  return (
    <Modal
      title={existing ? t('savedViews.editTitle', { name: existing.name }) : t('savedViews.new')}
      onClose={close}
      className="modal-wide"
    >
      <form className="modal-body form" onSubmit={submit}>
        <div className="form-row">
          <div className="form-field">
            <label htmlFor={ids.name}>{t('savedViews.name')}</label>
            <input id={ids.name} required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
          </div>
          <div className="form-field">
            <label htmlFor={ids.share}>{t('savedViews.share')}</label>
            <select id={ids.share} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">{t('savedViews.personal')}</option>
              {shareable.map((tm) => (
                <option key={tm.id} value={tm.id}>
                  {t('savedViews.sharedWith', { team: tm.name })}
                </option>
              ))}
            </select>
          </div>
          <div className="form-field">
            <label htmlFor={ids.sort}>{t('sort.label')}</label>
            <select id={ids.sort} value={sort} onChange={(e) => setSort(e.target.value as 'newest' | 'oldest')}>
              <option value="newest">{t('sort.newest')}</option>
              <option value="oldest">{t('sort.oldest')}</option>
            </select>
          </div>
        </div>
        <p className="muted small">{t('savedViews.filtersHint')}</p>
        <div className="filter-grid">
          <Checks
            legend={t('status.label')}
            options={CONVERSATION_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
            value={statuses}
            onChange={setStatuses}
          />
          <Checks
            legend={t('savedViews.channels')}
            options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
            value={channels}
            onChange={setChannels}
          />
          <Checks
            legend={t('savedViews.inboxes')}
            options={(directory.data?.inboxes ?? []).map((i) => ({ value: i.id, label: i.name }))}
            value={inboxIds}
            onChange={setInboxIds}
          />
          <Checks
            legend={t('savedViews.teams')}
            options={teams.map((tm) => ({ value: tm.id, label: tm.name }))}
            value={teamIds}
            onChange={setTeamIds}
          />
          <Checks
            legend={t('savedViews.assignees')}
            options={[
              { value: 'me', label: t('savedViews.me') },
              { value: 'none', label: t('list.unassigned') },
              ...users.filter((u) => u.id !== session.user.id).map((u) => ({ value: u.id, label: u.name })),
            ]}
            value={assignees}
            onChange={setAssignees}
          />
          <fieldset className="checks">
            <legend>{t('savedViews.more')}</legend>
            <label htmlFor={ids.tags}>{t('savedViews.tags')}</label>
            <input id={ids.tags} value={tags} placeholder={t('savedViews.tagsPlaceholder')} onChange={(e) => setTags(e.target.value)} />
            <label className="check">
              <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
              <span>{t('savedViews.unreadOnly')}</span>
            </label>
            <label htmlFor={ids.waiting}>{t('savedViews.waiting')}</label>
            <input
              id={ids.waiting}
              type="number"
              min={1}
              inputMode="numeric"
              value={waiting}
              onChange={(e) => setWaiting(e.target.value)}
            />
          </fieldset>
        </div>
        <div className="modal-actions">
          {existing && mine && (
            <button type="button" className="button danger-button" onClick={() => void remove()}>
              {t('savedViews.delete')}
            </button>
          )}
          <span className="spacer" />
          <button type="button" className="button" onClick={close}>
            {t('dialog.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={!name.trim()}>
            {t('savedViews.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
