// Administration (admins only): users (invite with a link to copy, role, teams, deactivate), teams,
// inboxes and their settings, message templates of the inboxes with a reply window, custom contact
// fields, closing categories. Every change is a mutation
// through the outbox like any other; the server refuses it from anyone but an admin.
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CONTACT_FIELD_TYPES,
  MessageTemplate,
  ROLES,
  TEMPLATE_CATEGORIES,
  TEMPLATE_STATUSES,
  type ClosingCategory,
  type ContactFieldDefinition,
  type Inbox,
  type Role,
  type Team,
  type User,
} from '../../src-shared/domain';
import { hasReplyWindow } from '../../src-shared/rules/channelWindow';
import { templateVariableCount } from '../../src-shared/rules/templates';
import type { IpcResult } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { Checks } from '../components/Checks';
import { IconArrowLeft } from '../components/icons';
import { PresenceDot } from '../components/Picker';
import { SnippetManager } from '../components/SnippetManager';
import { UserSessionsDialog } from '../components/UserSessions';
import { perform } from '../state/perform';
import { directoryQuery, templatesQuery } from '../state/queries';
import { TemplatePreview } from '../components/MessageDialogs';
import { useUi } from '../state/ui-store';

const SECTIONS = ['users', 'teams', 'inboxes', 'templates', 'contactFields', 'closingCategories', 'snippets'] as const;
type Section = (typeof SECTIONS)[number];
type Directory = IpcResult<'directory.get'>;

function CopyLink({ url }: { url: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <span className="copy-link">
      <label htmlFor={id} className="visually-hidden">
        {t('admin.users.inviteLink')}
      </label>
      <input id={id} readOnly value={url} onFocus={(e) => e.target.select()} data-testid="invite-link" />
      <button
        type="button"
        className="button small"
        onClick={() =>
          void navigator.clipboard?.writeText(url).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? t('admin.copied') : t('admin.copy')}
      </button>
    </span>
  );
}

function UserRow({ user, dir, meId, onSessions }: { user: User; dir: Directory; meId: string; onSessions: () => void }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(user.role);
  const [teamIds, setTeamIds] = useState(user.teamIds);
  const invite = dir.invites.find((i) => i.userId === user.id);
  const dirty = role !== user.role || teamIds.slice().sort().join() !== user.teamIds.slice().sort().join();
  const state = !user.active ? 'deactivated' : user.invited ? 'invited' : 'active';
  return (
    <tr data-user-id={user.id}>
      <td>
        <span className="admin-name">
          <PresenceDot presence={user.presence} />
          {user.name}
        </span>
        <span className="muted small">
          {user.email.split('@')[0]}
          {user.email.includes('@') && (
            <>
              <wbr />@{user.email.split('@').slice(1).join('@')}
            </>
          )}
        </span>
      </td>
      <td>
        <select aria-label={t('admin.users.roleOf', { name: user.name })} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <Checks
          inline
          legend={t('admin.users.teamsOf', { name: user.name })}
          options={dir.teams.map((tm) => ({ value: tm.id, label: tm.name }))}
          value={teamIds}
          onChange={setTeamIds}
        />
      </td>
      <td>
        <span className={`state-pill state-${state}`}>{t(`admin.users.state.${state}`)}</span>
        {invite && user.invited && <CopyLink url={invite.url} />}
      </td>
      <td>
        <div className="admin-row-actions">
          <button
            type="button"
            className="button small primary"
            disabled={!dirty}
            onClick={() => void perform(call('admin.user.update', { userId: user.id, role, teamIds }))}
          >
            {t('admin.save')}
          </button>
          {user.id !== meId && (
            <button
              type="button"
              className="button small"
              onClick={() => void perform(call('admin.user.update', { userId: user.id, active: !user.active }))}
            >
              {user.active ? t('admin.users.deactivate') : t('admin.users.reactivate')}
            </button>
          )}
          {user.active && !user.invited && (
            <button type="button" className="button small" aria-label={t('sessions.openFor', { name: user.name })} onClick={onSessions}>
              {t('sessions.open')}
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}

function Users({ dir, meId }: { dir: Directory; meId: string }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [invitedId, setInvitedId] = useState<string | null>(null);
  // Kept here, not in the row: a row is remade when its user changes (presence), the dialog stays open.
  const [sessionsOf, setSessionsOf] = useState<string | null>(null);
  const sessionsUser = dir.users.find((u) => u.id === sessionsOf);
  const ids = { email: useId(), name: useId(), role: useId() };
  const invite = invitedId ? dir.invites.find((i) => i.userId === invitedId) : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = await perform(call('admin.user.invite', { email: email.trim(), name: name.trim(), role, teamIds }));
    if (made) {
      setInvitedId(made.id);
      setEmail('');
      setName('');
    }
  };
  return (
    <>
      <form className="admin-card form" onSubmit={submit} aria-label={t('admin.users.invite')}>
        <h3>{t('admin.users.invite')}</h3>
        <div className="form-row">
          <div className="form-field">
            <label htmlFor={ids.name}>{t('admin.users.name')}</label>
            <input id={ids.name} required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="form-field">
            <label htmlFor={ids.email}>{t('login.email')}</label>
            <input id={ids.email} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="form-field">
            <label htmlFor={ids.role}>{t('admin.users.role')}</label>
            <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`roles.${r}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Checks
          inline
          legend={t('admin.users.teams')}
          options={dir.teams.map((tm) => ({ value: tm.id, label: tm.name }))}
          value={teamIds}
          onChange={setTeamIds}
        />
        <div className="modal-actions">
          <button type="submit" className="button primary" disabled={!email.trim() || !name.trim()}>
            {t('admin.users.sendInvite')}
          </button>
        </div>
        {invitedId && (
          <div className="notice" role="status">
            {invite ? (
              <>
                <p>{t('admin.users.inviteReady')}</p>
                <CopyLink url={invite.url} />
              </>
            ) : (
              <p>{t('admin.users.invitePending')}</p>
            )}
          </div>
        )}
      </form>
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.users.person')}</th>
            <th scope="col">{t('admin.users.role')}</th>
            <th scope="col">{t('admin.users.teams')}</th>
            <th scope="col">{t('admin.users.status')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('admin.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {dir.users
            .slice()
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((u) => (
              <UserRow key={`${u.id}:${u.version}`} user={u} dir={dir} meId={meId} onSessions={() => setSessionsOf(u.id)} />
            ))}
        </tbody>
      </table>
      {sessionsUser && <UserSessionsDialog user={sessionsUser} onClose={() => setSessionsOf(null)} />}
    </>
  );
}

function NameRow({
  label,
  initial,
  onSave,
  extra,
}: {
  label: string;
  initial: string;
  onSave: (name: string) => Promise<unknown>;
  extra?: React.ReactNode;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(initial);
  return (
    <form
      className="admin-line"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(name.trim());
      }}
    >
      <input aria-label={label} value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
      {extra}
      <button type="submit" className="button small primary" disabled={!name.trim() || name.trim() === initial}>
        {t('admin.save')}
      </button>
    </form>
  );
}

function Teams({ dir }: { dir: Directory }) {
  const { t } = useTranslation();
  return (
    <div className="admin-card">
      <h3>{t('admin.sections.teams')}</h3>
      {dir.teams.map((tm) => (
        <NameRow
          key={`${tm.id}:${tm.version}`}
          label={t('admin.teams.nameOf', { name: tm.name })}
          initial={tm.name}
          onSave={(name) => perform(call('admin.team.save', { id: tm.id, name }))}
        />
      ))}
      <h3>{t('admin.teams.add')}</h3>
      <NameRow
        key={dir.teams.length}
        label={t('admin.teams.newName')}
        initial=""
        onSave={(name) => perform(call('admin.team.save', { name }))}
      />
    </div>
  );
}

function InboxRow({ inbox, teams }: { inbox: Inbox; teams: Team[] }) {
  const { t } = useTranslation();
  const [name, setName] = useState(inbox.name);
  const [teamId, setTeamId] = useState(inbox.teamId ?? '');
  const [settings, setSettings] = useState(inbox.settings);
  return (
    <form
      className="admin-card form"
      aria-label={inbox.name}
      onSubmit={(e) => {
        e.preventDefault();
        void perform(call('admin.inbox.update', { inboxId: inbox.id, name: name.trim(), teamId: teamId || null, settings }));
      }}
    >
      <div className="form-row">
        <div className="form-field">
          <label htmlFor={`${inbox.id}-name`}>{t('admin.inboxes.name')}</label>
          <input id={`${inbox.id}-name`} value={name} required onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="form-field">
          <label htmlFor={`${inbox.id}-team`}>{t('admin.inboxes.team')}</label>
          <select id={`${inbox.id}-team`} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{t('admin.inboxes.noTeam')}</option>
            {teams.map((tm) => (
              <option key={tm.id} value={tm.id}>
                {tm.name}
              </option>
            ))}
          </select>
        </div>
        <div className="form-field">
          <span className="form-label">{t('admin.inboxes.channel')}</span>
          <span className="chip">{t(`channel.${inbox.channel}`)}</span>
        </div>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={settings.transferStartsNewConversation}
          onChange={(e) => setSettings({ ...settings, transferStartsNewConversation: e.target.checked })}
        />
        <span>{t('admin.inboxes.transferStartsNew')}</span>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={settings.closeKeepsAssignee}
          onChange={(e) => setSettings({ ...settings, closeKeepsAssignee: e.target.checked })}
        />
        <span>{t('admin.inboxes.closeKeepsAssignee')}</span>
      </label>
      <div className="modal-actions">
        <button type="submit" className="button primary small">
          {t('admin.save')}
        </button>
      </div>
    </form>
  );
}

type TemplateDraft = Pick<MessageTemplate, 'name' | 'language' | 'category' | 'body' | 'status'>;
const NEW_TEMPLATE: TemplateDraft = { name: '', language: '', category: 'utility', body: '', status: 'approved' };

/** One template of an inbox: the provider's name and language (as approved in WhatsApp Manager), its
 *  category, body with {{1}}… and status; saved or deleted through the outbox. */
function TemplateForm({ inboxId, template }: { inboxId: string; template: MessageTemplate | null }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<TemplateDraft>(template ?? NEW_TEMPLATE);
  const [problem, setProblem] = useState<string | null>(null);
  // While a save or delete is on its way: a double click must not send it twice.
  const [busy, setBusy] = useState(false);
  const p = useId();
  const set = (patch: Partial<TemplateDraft>) => {
    setProblem(null);
    setDraft({ ...draft, ...patch });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const checked = MessageTemplate.pick({ name: true, language: true, body: true }).safeParse(draft);
    if (!checked.success) {
      const field = checked.error.issues[0]?.path[0];
      return setProblem(t(`templates.bad.${field === 'name' ? 'name' : field === 'language' ? 'language' : 'body'}`));
    }
    setBusy(true);
    const done = await perform(call('admin.template.save', { id: template?.id, inboxId, ...draft, body: draft.body.trim() }));
    setBusy(false);
    if (done && !template) setDraft(NEW_TEMPLATE);
  };
  const remove = async (id: string) => {
    setBusy(true);
    await perform(call('admin.template.delete', { id }));
    setBusy(false);
  };
  const label = template ? t('templates.editNamed', { name: template.name }) : t('templates.add');
  const variables = templateVariableCount(draft.body);
  return (
    <form
      className="admin-card form template-form"
      aria-label={label}
      data-template={template?.name ?? 'new'}
      onSubmit={(e) => void submit(e)}
    >
      {!template && <h3>{t('templates.add')}</h3>}
      <div className="form-row">
        <div className="form-field">
          <label htmlFor={`${p}-name`}>{t('templates.name')}</label>
          <input
            id={`${p}-name`}
            value={draft.name}
            required
            placeholder="order_update"
            spellCheck={false}
            onChange={(e) => set({ name: e.target.value })}
          />
        </div>
        <div className="form-field">
          <label htmlFor={`${p}-language`}>{t('templates.language')}</label>
          <input
            id={`${p}-language`}
            value={draft.language}
            required
            placeholder="es, pt_BR, en_US"
            spellCheck={false}
            onChange={(e) => set({ language: e.target.value })}
          />
        </div>
        <div className="form-field">
          <label htmlFor={`${p}-category`}>{t('templates.category')}</label>
          <select
            id={`${p}-category`}
            value={draft.category}
            onChange={(e) => set({ category: e.target.value as TemplateDraft['category'] })}
          >
            {TEMPLATE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`templates.categories.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="form-field">
          <label htmlFor={`${p}-status`}>{t('templates.status')}</label>
          <select id={`${p}-status`} value={draft.status} onChange={(e) => set({ status: e.target.value as TemplateDraft['status'] })}>
            {TEMPLATE_STATUSES.map((x) => (
              <option key={x} value={x}>
                {t(`templates.statuses.${x}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <label htmlFor={`${p}-body`}>{t('templates.body', { example: '{{1}}, {{2}}…' })}</label>
      <textarea id={`${p}-body`} rows={3} maxLength={1024} value={draft.body} required onChange={(e) => set({ body: e.target.value })} />
      <span className="muted small">{variables === 0 ? t('templates.noValues') : t('templates.bodyHelp', { count: variables })}</span>
      {variables > 0 && <TemplatePreview body={draft.body} values={[]} />}
      {problem && (
        <p className="composer-error" role="alert">
          {problem}
        </p>
      )}
      <div className="modal-actions">
        {template && (
          <button type="button" className="button small danger" disabled={busy} onClick={() => void remove(template.id)}>
            {t('templates.delete')}
          </button>
        )}
        <button type="submit" className="button small primary" disabled={busy}>
          {template ? t('admin.save') : t('admin.add')}
        </button>
      </div>
    </form>
  );
}

function Templates({ dir }: { dir: Directory }) {
  const { t } = useTranslation();
  const templates = useQuery(templatesQuery(null));
  // Only channels with a reply window take templates.
  const inboxes = dir.inboxes.filter((i) => hasReplyWindow(i.channel));
  if (inboxes.length === 0) return <p className="muted">{t('templates.noInboxes')}</p>;
  return (
    <>
      <p className="muted small">{t('templates.intro')}</p>
      {inboxes.map((inbox) => {
        const mine = (templates.data ?? []).filter((x) => x.inboxId === inbox.id);
        return (
          <section key={inbox.id} className="template-inbox" aria-label={inbox.name} data-inbox-id={inbox.id}>
            <h3 className="template-inbox-title">
              {inbox.name} <span className="chip">{t(`channel.${inbox.channel}`)}</span>
            </h3>
            {templates.isSuccess && mine.length === 0 && <p className="muted">{t('templates.none')}</p>}
            {mine.map((x) => (
              <TemplateForm key={`${x.id}:${x.version}`} inboxId={inbox.id} template={x} />
            ))}
            <TemplateForm key={`new-${inbox.id}-${mine.length}`} inboxId={inbox.id} template={null} />
          </section>
        );
      })}
    </>
  );
}

function FieldForm({ def }: { def: ContactFieldDefinition | null }) {
  const { t } = useTranslation();
  const [key, setKey] = useState(def?.key ?? '');
  const [label, setLabel] = useState(def?.label ?? '');
  const [type, setType] = useState<ContactFieldDefinition['type']>(def?.type ?? 'text');
  const [options, setOptions] = useState((def?.options ?? []).join(', '));
  const [active, setActive] = useState(def?.active ?? true);
  const p = def?.id ?? 'new';
  return (
    <form
      className="admin-line wrap"
      aria-label={def ? def.label : t('admin.fields.add')}
      onSubmit={(e) => {
        e.preventDefault();
        const opts = options
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean);
        void perform(
          call('admin.contactField.save', {
            id: def?.id,
            key: key.trim(),
            label: label.trim(),
            type,
            options: type === 'select' ? opts : [],
            active,
          }),
        ).then((r) => {
          if (r && !def) {
            setKey('');
            setLabel('');
            setOptions('');
          }
        });
      }}
    >
      <label htmlFor={`${p}-label`} className="visually-hidden">
        {t('admin.fields.label')}
      </label>
      <input id={`${p}-label`} placeholder={t('admin.fields.label')} value={label} required onChange={(e) => setLabel(e.target.value)} />
      <label htmlFor={`${p}-key`} className="visually-hidden">
        {t('admin.fields.key')}
      </label>
      <input
        id={`${p}-key`}
        placeholder={t('admin.fields.key')}
        value={key}
        required
        pattern="[a-z][a-z0-9_]{0,39}"
        disabled={def !== null}
        onChange={(e) => setKey(e.target.value)}
      />
      <label htmlFor={`${p}-type`} className="visually-hidden">
        {t('admin.fields.type')}
      </label>
      <select id={`${p}-type`} value={type} onChange={(e) => setType(e.target.value as ContactFieldDefinition['type'])}>
        {CONTACT_FIELD_TYPES.map((ty) => (
          <option key={ty} value={ty}>
            {t(`admin.fields.types.${ty}`)}
          </option>
        ))}
      </select>
      {type === 'select' && (
        <>
          <label htmlFor={`${p}-options`} className="visually-hidden">
            {t('admin.fields.options')}
          </label>
          <input id={`${p}-options`} placeholder={t('admin.fields.options')} value={options} onChange={(e) => setOptions(e.target.value)} />
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
        <span>{t('admin.active')}</span>
      </label>
      <button type="submit" className="button small primary" disabled={!key.trim() || !label.trim()}>
        {def ? t('admin.save') : t('admin.add')}
      </button>
    </form>
  );
}

function CategoryRow({ category }: { category: ClosingCategory | null }) {
  const { t } = useTranslation();
  const [active, setActive] = useState(category?.active ?? true);
  return (
    <NameRow
      label={category ? t('admin.categories.nameOf', { name: category.name }) : t('admin.categories.newName')}
      initial={category?.name ?? ''}
      onSave={(name) => perform(call('admin.closingCategory.save', { id: category?.id, name, active }))}
      extra={
        category && (
          <label className="check">
            <input
              type="checkbox"
              checked={active}
              onChange={(e) => {
                setActive(e.target.checked);
                void perform(call('admin.closingCategory.save', { id: category.id, name: category.name, active: e.target.checked }));
              }}
            />
            <span>{t('admin.active')}</span>
          </label>
        )
      }
    />
  );
}

export function AdminScreen({ meId }: { meId: string }) {
  const { t } = useTranslation();
  const setScreen = useUi((s) => s.setScreen);
  const [section, setSection] = useState<Section>('users');
  const directory = useQuery(directoryQuery());
  const dir = directory.data;
  return (
    <section className="admin" aria-label={t('admin.title')} data-testid="admin">
      <nav className="admin-nav" aria-label={t('admin.title')}>
        <button type="button" className="button small" onClick={() => setScreen('inbox')}>
          <IconArrowLeft size={14} />
          {t('admin.back')}
        </button>
        <h2>{t('admin.title')}</h2>
        <ul className="view-list">
          {SECTIONS.map((s) => (
            <li key={s}>
              <button
                type="button"
                className="view-item"
                data-section={s}
                aria-current={section === s ? 'page' : undefined}
                onClick={() => setSection(s)}
              >
                <span className="view-name">{t(`admin.sections.${s}`)}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-main">
        <h2 className="admin-title">{t(`admin.sections.${section}`)}</h2>
        {dir && section === 'users' && <Users dir={dir} meId={meId} />}
        {section === 'snippets' && (
          <div className="admin-card">
            <SnippetManager shared meId={meId} />
          </div>
        )}
        {dir && section === 'teams' && <Teams dir={dir} />}
        {dir && section === 'templates' && <Templates dir={dir} />}
        {dir && section === 'inboxes' && dir.inboxes.map((i) => <InboxRow key={`${i.id}:${i.version}`} inbox={i} teams={dir.teams} />)}
        {dir && section === 'contactFields' && (
          <div className="admin-card">
            {dir.contactFields.length === 0 && <p className="muted">{t('admin.fields.none')}</p>}
            {dir.contactFields.map((d) => (
              <FieldForm key={`${d.id}:${d.version}`} def={d} />
            ))}
            <h3>{t('admin.fields.add')}</h3>
            <FieldForm key={`new-${dir.contactFields.length}`} def={null} />
          </div>
        )}
        {dir && section === 'closingCategories' && (
          <div className="admin-card">
            {dir.closingCategories.length === 0 && <p className="muted">{t('admin.categories.none')}</p>}
            {dir.closingCategories.map((c) => (
              <CategoryRow key={`${c.id}:${c.version}`} category={c} />
            ))}
            <h3>{t('admin.categories.add')}</h3>
            <CategoryRow key={`new-${dir.closingCategories.length}`} category={null} />
          </div>
        )}
      </div>
    </section>
  );
}
