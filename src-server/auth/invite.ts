// Invitations: GET /invite/<token> serves a small page (en, es, pt-BR) where an invited person sets
// a password; POST /api/invite/accept {token, password} stores it, clears `invited` and deletes the
// invite, so the link works once.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ChangeBatch } from '../store/changeLog';
import type { Limits } from '../limits/config';
import type { RateCounters } from '../limits/counters';
import { httpLimit, sendRateLimited } from '../limits/http';
import type { Db } from '../store/db';
import { getUser, setPassword } from '../store/directory';
import { consumeInvite, findInvite } from '../store/invites';
import { nextVersion } from '../store/tenants';
import { hashPassword } from './passwords';
import { sendError } from './routes';

export const INVITE_ACCEPT_PATH = '/api/invite/accept';
export const PASSWORD_MIN_CHARS = 8;

export const InviteAccept = z.object({ token: z.string().min(1).max(200), password: z.string().min(PASSWORD_MIN_CHARS).max(256) });

type Lang = 'en' | 'es' | 'pt-BR';

const TEXT: Record<Lang, Record<string, string>> = {
  en: {
    title: 'Join Bandeja',
    intro: 'Hi {name}, choose a password to finish setting up your account ({email}).',
    password: 'Password',
    hint: 'At least 8 characters.',
    submit: 'Set password',
    done: 'Your password is set. Open Bandeja and sign in with {email}.',
    failed: 'The password could not be set. The link may have been used already; ask an administrator for a new one.',
    tooShort: 'Use at least 8 characters.',
    gone: 'This invitation link is not valid any more. Ask an administrator for a new one.',
    tooMany: 'Too many attempts. Wait a few minutes and try again.',
  },
  es: {
    title: 'Únete a Bandeja',
    intro: 'Hola {name}, elige una contraseña para terminar de crear tu cuenta ({email}).',
    password: 'Contraseña',
    hint: 'Al menos 8 caracteres.',
    submit: 'Guardar contraseña',
    done: 'Tu contraseña quedó guardada. Abre Bandeja e inicia sesión con {email}.',
    failed: 'No se pudo guardar la contraseña. Puede que el enlace ya se haya usado; pide uno nuevo a un administrador.',
    tooShort: 'Usa al menos 8 caracteres.',
    gone: 'Este enlace de invitación ya no es válido. Pide uno nuevo a un administrador.',
    tooMany: 'Demasiados intentos. Espera unos minutos y vuelve a intentarlo.',
  },
  'pt-BR': {
    title: 'Entre no Bandeja',
    intro: 'Olá {name}, escolha uma senha para concluir sua conta ({email}).',
    password: 'Senha',
    hint: 'Pelo menos 8 caracteres.',
    submit: 'Definir senha',
    done: 'Sua senha foi definida. Abra o Bandeja e entre com {email}.',
    failed: 'Não foi possível definir a senha. O link pode já ter sido usado; peça um novo a um administrador.',
    tooShort: 'Use pelo menos 8 caracteres.',
    gone: 'Este link de convite não é mais válido. Peça um novo a um administrador.',
    tooMany: 'Muitas tentativas. Aguarde alguns minutos e tente de novo.',
  },
};

/** ?lang= wins, then the browser's Accept-Language, then English. */
export function inviteLang(query: string | string[] | undefined, acceptLanguage: string | undefined): Lang {
  // `?lang=es&lang=en` comes as a list: the first one counts.
  const first = Array.isArray(query) ? query[0] : query;
  for (const asked of [first, ...(acceptLanguage ?? '').split(',').map((p) => p.split(';')[0]!.trim())]) {
    const l = (asked ?? '').toLowerCase();
    if (l.startsWith('es')) return 'es';
    if (l.startsWith('pt')) return 'pt-BR';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fillText(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => escapeHtml(values[k] ?? ''));
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#eef1f6;color:#111827;margin:0;
display:flex;min-height:100vh;align-items:center;justify-content:center}main{background:#fff;border-radius:16px;padding:28px;
width:min(400px,92vw);box-shadow:0 12px 40px rgba(15,23,42,.12)}h1{font-size:20px;margin:0 0 8px}p{line-height:1.5;color:#374151}
label{display:block;font-weight:600;font-size:14px;margin:16px 0 6px}input{font:inherit;width:100%;box-sizing:border-box;padding:10px 12px;
border:1px solid #d1d5db;border-radius:10px}small{color:#6b7280}button{margin-top:16px;font:inherit;font-weight:600;border:0;border-radius:10px;
padding:10px 16px;background:#4f46e5;color:#fff;cursor:pointer}#status{min-height:1.5em}#status[data-kind="error"]{color:#b91c1c}`;

const SCRIPT = `(function(){
var cfg = JSON.parse(document.getElementById('invite-config').textContent);
var form = document.getElementById('form'), status = document.getElementById('status');
function say(text, kind){ status.textContent = text; status.setAttribute('data-kind', kind); }
form.addEventListener('submit', function(e){
  e.preventDefault();
  var password = document.getElementById('password').value;
  if (password.length < cfg.min) { say(cfg.tooShort, 'error'); return; }
  fetch(cfg.action, {method:'POST', headers:{'content-type':'application/json'}, body: JSON.stringify({token: cfg.token, password: password})})
    .then(function(r){ if (r.status === 429) { say(cfg.tooMany, 'error'); return; } if (!r.ok) throw new Error(String(r.status)); form.hidden = true; say(cfg.done, 'ok'); })
    .catch(function(){ say(cfg.failed, 'error'); });
});
})();`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const INVITE_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function page(lang: Lang, title: string, body: string, config?: unknown): string {
  const data = config === undefined ? '' : JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body><main>${body}</main>
${config === undefined ? '' : `<script type="application/json" id="invite-config">${data}</script><script>${SCRIPT}</script>`}</body></html>`;
}

/** `onCommit` pokes the tenant's live connections (the user row changed, the invite is gone). */
export function registerInviteRoutes(
  app: FastifyInstance,
  db: Db,
  onCommit: (tenantId: string) => void,
  guard: { limits: Limits; counters: RateCounters },
): void {
  // Page views and accepts share one per-address limit; each link also has its own (per account).
  const perAddress = httpLimit(app, 'invite-address', guard.limits.invitePerAddress);
  app.get<{ Params: { token: string }; Querystring: { lang?: string | string[] } }>('/invite/:token', async (request, reply) => {
    const lang = inviteLang(request.query.lang, request.headers['accept-language']);
    const t = TEXT[lang];
    reply.header('content-security-policy', INVITE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    const wait = await perAddress(request);
    if (wait !== null) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return reply.code(429).send(page(lang, t.title!, `<h1>${escapeHtml(t.title!)}</h1><p>${escapeHtml(t.tooMany!)}</p>`));
    }
    const invite = await findInvite(db, request.params.token, Date.now());
    const user = invite ? await getUser(db, invite.userId) : null;
    if (!invite || !user)
      return reply.code(404).send(page(lang, t.title!, `<h1>${escapeHtml(t.title!)}</h1><p>${escapeHtml(t.gone!)}</p>`));
    const values = { name: user.name, email: user.email };
    const body = `<h1>${escapeHtml(t.title!)}</h1><p>${fill(t.intro!, values)}</p>
<form id="form"><label for="password">${escapeHtml(t.password!)}</label>
<input id="password" type="password" autocomplete="new-password" minlength="${PASSWORD_MIN_CHARS}" maxlength="256" required>
<small>${escapeHtml(t.hint!)}</small><br><button type="submit">${escapeHtml(t.submit!)}</button></form><p id="status" role="status"></p>`;
    return reply.send(
      page(lang, t.title!, body, {
        token: request.params.token,
        action: INVITE_ACCEPT_PATH,
        min: PASSWORD_MIN_CHARS,
        done: fillText(t.done!, values),
        failed: t.failed,
        tooShort: t.tooShort,
        tooMany: t.tooMany,
      }),
    );
  });

  app.post(INVITE_ACCEPT_PATH, async (request, reply) => {
    const wait = await perAddress(request);
    if (wait !== null) return sendRateLimited(reply, wait, 'Too many attempts from this network. Try again later.');
    const parsed = InviteAccept.safeParse(request.body);
    if (!parsed.success)
      return sendError(
        reply,
        400,
        'INVALID_ARGS',
        `Send the invitation token and a password of at least ${PASSWORD_MIN_CHARS} characters.`,
      );
    const perToken = await guard.counters.take(
      'invite-token',
      createHash('sha256').update(parsed.data.token).digest('hex'),
      guard.limits.invitePerToken,
    );
    if (!perToken.ok) return sendRateLimited(reply, perToken.retryAfterMs, 'Too many attempts with this invitation link. Try again later.');
    const invite = await findInvite(db, parsed.data.token, Date.now());
    if (!invite)
      return sendError(reply, 404, 'NOT_FOUND', 'This invitation link is not valid any more. Ask an administrator for a new one.');
    const passwordHash = await hashPassword(parsed.data.password);
    const email = await db.tx(async (tx) => {
      const batch = new ChangeBatch(invite.tenantId, await nextVersion(tx, invite.tenantId));
      // Two tabs submitting at once: only the first one uses the link.
      if (!(await consumeInvite(tx, batch, invite.id))) return null;
      const user = await setPassword(tx, batch, invite.userId, passwordHash);
      await batch.write(tx);
      return user.email;
    });
    if (email === null) return sendError(reply, 404, 'NOT_FOUND', 'This invitation link was used already.');
    onCommit(invite.tenantId);
    return reply.send({ ok: true, email });
  });
}
