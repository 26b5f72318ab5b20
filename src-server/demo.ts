// The demo tenant (`--demo`): fixed ids, so seeding again changes nothing, and a store seeded by an
// older version gets what was added since (each row is inserted only when missing).
import type { ContactFieldDefinition, InboxSettings, MessageTemplate, Role } from '../src-shared/domain';
import { HOUR_MS } from '../src-shared/rules/channelWindow';
import { hashPassword } from './auth/passwords';
import { writeTenantChanges, type ChangeBatch } from './store/changeLog';
import type { Tx } from './store/db';
import type { Db } from './store/db';
import { saveClosingCategory, saveContactField } from './store/definitions';
import { insertInbox, insertTeam, insertUser, logUser } from './store/directory';
import { insertContact, insertIdentity, logContact } from './store/contacts';
import { insertConversation, insertMessage } from './store/conversations';
import { writeSnippet } from './store/snippets';
import { writeTemplate } from './store/templates';
import { insertTenant } from './store/tenants';

export const DEMO_PASSWORD = 'demo1234';
export const DEMO = {
  tenantId: 'demo',
  teamId: 'team-soporte',
  inboxId: 'inbox-web',
  inboxSlug: 'demo',
  teams: [
    { id: 'team-soporte', name: 'Soporte' },
    { id: 'team-ventas', name: 'Ventas' },
  ],
  users: [
    { id: 'user-admin', email: 'admin@demo.test', name: 'Admin', role: 'admin' as Role, teamIds: ['team-soporte'] },
    { id: 'user-sofia', email: 'sofia@demo.test', name: 'Sofía', role: 'supervisor' as Role, teamIds: ['team-soporte', 'team-ventas'] },
    { id: 'user-ana', email: 'ana@demo.test', name: 'Ana', role: 'agent' as Role, teamIds: ['team-soporte'] },
    { id: 'user-bruno', email: 'bruno@demo.test', name: 'Bruno', role: 'agent' as Role, teamIds: ['team-soporte', 'team-ventas'] },
  ],
  inboxes: [
    {
      id: 'inbox-web',
      name: 'Web',
      channel: 'webchat' as const,
      teamId: 'team-soporte',
      slug: 'demo',
      settings: {} as Partial<InboxSettings>,
    },
    {
      id: 'inbox-ventas',
      name: 'Ventas web',
      channel: 'webchat' as const,
      teamId: 'team-ventas',
      slug: 'ventas',
      settings: { closeKeepsAssignee: true, transferStartsNewConversation: false },
    },
    // Connected to the WhatsApp Cloud API when BANDEJA_WHATSAPP_* is set (channels/whatsapp/account.ts).
    {
      id: 'inbox-whatsapp',
      name: 'WhatsApp',
      channel: 'whatsapp' as const,
      teamId: 'team-soporte',
      slug: null,
      settings: {} as Partial<InboxSettings>,
    },
  ],
  // As registered in Meta's WhatsApp Manager (same name and language); the pending one cannot be sent yet.
  templates: [
    {
      id: 'template-seguimiento',
      inboxId: 'inbox-whatsapp',
      name: 'seguimiento',
      language: 'es',
      category: 'utility',
      body: 'Hola {{1}}, te escribimos para dar seguimiento a tu consulta sobre {{2}}. ¿Podemos ayudarte en algo más?',
      status: 'approved',
    },
    {
      id: 'template-retomar-conversa',
      inboxId: 'inbox-whatsapp',
      name: 'retomar_conversa',
      language: 'pt_BR',
      category: 'utility',
      body: 'Olá {{1}}! Podemos retomar a nossa conversa? Responda esta mensagem e continuamos o atendimento.',
      status: 'approved',
    },
    {
      id: 'template-retomar-atencion',
      inboxId: 'inbox-whatsapp',
      name: 'retomar_atencion',
      language: 'es',
      category: 'utility',
      body: 'Hola, ¿seguimos con tu consulta? Responde a este mensaje y te atendemos enseguida.',
      status: 'approved',
    },
    {
      id: 'template-recordatorio-pago',
      inboxId: 'inbox-whatsapp',
      name: 'recordatorio_pago',
      language: 'es',
      category: 'utility',
      body: 'Hola {{1}}, te recordamos que tu factura {{2}} vence el {{3}}.',
      status: 'pending',
    },
  ] as Omit<MessageTemplate, 'version'>[],
  closingCategories: [
    { id: 'category-resuelto', name: 'Resuelto' },
    { id: 'category-sin-respuesta', name: 'Sin respuesta del cliente' },
    { id: 'category-derivado-ventas', name: 'Derivado a ventas' },
  ],
  contactFields: [
    { id: 'field-plan', key: 'plan', label: 'Plan', type: 'select', options: ['Básico', 'Pro', 'Empresa'], active: true },
    { id: 'field-documento', key: 'documento', label: 'Documento', type: 'text', options: [], active: true },
  ] as Omit<ContactFieldDefinition, 'version'>[],
  // Shared snippets, so "/" in the composer has something to offer from the first start.
  snippets: [
    {
      id: 'snippet-saludo',
      title: 'Saludo',
      shortcut: 'saludo',
      body: 'Hola {{contact.first_name}}, soy {{agent.first_name}}. ¿En qué puedo ayudarte?',
    },
    {
      id: 'snippet-gracias',
      title: 'Gracias por escribirnos',
      shortcut: 'gracias',
      body: 'Gracias por escribirnos, {{contact.first_name}}. Si necesitas algo más, responde a este mensaje. Saludos, {{agent.name}}.',
    },
    {
      id: 'snippet-horario',
      title: 'Horario de atención',
      shortcut: 'horario',
      body: 'Nuestro horario de atención es de lunes a viernes de 9 a 18 h. Tu número de caso es {{conversation.id}}.',
    },
    {
      id: 'snippet-plan',
      title: 'Plan contratado',
      shortcut: 'plan',
      body: 'Veo que tienes el plan {{contact.plan}}, {{contact.first_name}}. Te cuento qué incluye.',
    },
  ],
} as const;

async function missing(tx: Tx, table: string, id: string): Promise<boolean> {
  return (await tx.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).length === 0;
}

/** Creates the demo tenant, or adds what it lacks. Returns true when anything was written now. */
export async function seedDemo(db: Db): Promise<boolean> {
  const hashes = new Map<string, string>();
  const present = await db.query<{ id: string }>('SELECT id FROM users WHERE id = ANY($1::text[])', [DEMO.users.map((u) => u.id)]);
  for (const u of DEMO.users) if (!present.some((p) => p.id === u.id)) hashes.set(u.id, await hashPassword(DEMO_PASSWORD));
  await db.tx((tx) => insertTenant(tx, DEMO.tenantId, 'Demo', Date.now()));
  // When there is nothing to add the tenant's version does not move.
  const { changed } = await writeTenantChanges(db, DEMO.tenantId, async (tx, batch) => {
    for (const team of DEMO.teams) if (await missing(tx, 'teams', team.id)) await insertTeam(tx, batch, team);
    for (const u of DEMO.users) {
      const hash = hashes.get(u.id);
      if (hash && (await missing(tx, 'users', u.id))) {
        await insertUser(tx, batch, { ...u, teamIds: [...u.teamIds], passwordHash: hash });
        continue;
      }
      // Team memberships added to the demo after a store was first seeded.
      let added = false;
      for (const teamId of u.teamIds) {
        const rows = await tx.query(
          'INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id',
          [teamId, u.id],
        );
        added ||= rows.length > 0;
      }
      if (added) {
        await tx.query('UPDATE users SET version = $2, scope_version = $2 WHERE id = $1', [u.id, batch.version]);
        await logUser(tx, batch, u.id);
      }
    }
    for (const inbox of DEMO.inboxes) if (await missing(tx, 'inboxes', inbox.id)) await insertInbox(tx, batch, inbox);
    for (const category of DEMO.closingCategories)
      if (await missing(tx, 'closing_categories', category.id)) await saveClosingCategory(tx, batch, { ...category, active: true });
    for (const field of DEMO.contactFields)
      if (await missing(tx, 'contact_field_definitions', field.id))
        await saveContactField(tx, batch, { ...field, options: [...field.options] });
    for (const snippet of DEMO.snippets)
      if (await missing(tx, 'snippets', snippet.id)) await writeSnippet(tx, batch, null, { ...snippet, attachment: null, ownerId: null });
    for (const template of DEMO.templates)
      if (await missing(tx, 'message_templates', template.id)) await writeTemplate(tx, batch, false, template);
    await seedWhatsAppConversations(tx, batch, Date.now());
  });
  return changed;
}

/** Two WhatsApp customers: Lucía wrote 2 h ago (the reply window is open), João 30 h ago (closed: the
 *  agent resumes with a template). Times are taken when the demo is seeded. */
async function seedWhatsAppConversations(tx: Tx, batch: ChangeBatch, now: number): Promise<void> {
  const people = [
    {
      contactId: 'contact-wa-lucia',
      name: 'Lucía Fernández',
      waId: '5491155550101',
      conversationId: 'conversation-wa-lucia',
      assigneeId: null,
      messages: [
        {
          id: 'message-wa-lucia-1',
          direction: 'in' as const,
          body: 'Hola, ¿me ayudan con mi pedido 4411? Todavía no me llegó.',
          ago: 2 * HOUR_MS,
        },
      ],
    },
    {
      contactId: 'contact-wa-joao',
      name: 'João Pereira',
      waId: '5511988880202',
      conversationId: 'conversation-wa-joao',
      assigneeId: 'user-ana',
      messages: [
        { id: 'message-wa-joao-1', direction: 'in' as const, body: 'Oi! Vocês entregam aos sábados?', ago: 30 * HOUR_MS },
        {
          id: 'message-wa-joao-2',
          direction: 'out' as const,
          body: 'Olá João! Sim, entregamos aos sábados das 9h às 13h.',
          ago: 29 * HOUR_MS,
        },
      ],
    },
  ];
  for (const p of people) {
    if (!(await missing(tx, 'conversations', p.conversationId))) continue;
    if (await missing(tx, 'contacts', p.contactId)) {
      const createdAt = now - p.messages[0]!.ago;
      await insertContact(tx, batch, {
        id: p.contactId,
        name: p.name,
        phones: [`+${p.waId}`],
        emails: [],
        ownerId: null,
        custom: {},
        fieldVersions: {},
        createdAt,
      });
      await insertIdentity(tx, 'inbox-whatsapp', p.waId, p.contactId, null);
      await logContact(tx, batch, p.contactId);
    }
    const lastIn = p.messages.filter((m) => m.direction === 'in').at(-1)!;
    const last = p.messages.at(-1)!;
    const conversation = await insertConversation(
      tx,
      batch,
      {
        id: p.conversationId,
        inboxId: 'inbox-whatsapp',
        contactId: p.contactId,
        teamId: DEMO.teamId,
        assigneeId: p.assigneeId,
        status: 'open',
        unreadCount: last.direction === 'in' ? 1 : 0,
        lastMessageAt: now - last.ago,
        lastMessagePreview: last.body,
        lastCustomerMessageAt: now - lastIn.ago,
        waitingSince: last.direction === 'in' ? now - last.ago : null,
        tags: [],
        botActive: false,
        closingCategoryId: null,
        previousConversationId: null,
        snoozedUntil: null,
        createdAt: now - p.messages[0]!.ago,
      },
      p.waId,
    );
    for (const m of p.messages)
      await insertMessage(
        tx,
        batch,
        {
          id: m.id,
          conversationId: p.conversationId,
          direction: m.direction,
          kind: 'text',
          authorId: m.direction === 'out' ? p.assigneeId : null,
          body: m.body,
          event: null,
          mentions: [],
          attachments: [],
          template: null,
          forwarded: false,
          state: m.direction === 'out' ? 'read' : 'delivered',
          error: null,
          createdAt: now - m.ago,
        },
        conversation,
      );
  }
}
