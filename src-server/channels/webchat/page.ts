// The customer's chat page: one self-contained HTML response (no framework). Script and style
// are fixed strings, so the CSP allows exactly them by hash; per-inbox settings travel in a
// JSON data block that the browser never executes.
import { createHash } from 'node:crypto';
import { MESSAGE_MAX_CHARS } from '../../../src-shared/domain';

const STYLE = String.raw`
:root{--brand:#4f46e5;--brand-ink:#fff;--bg:#eef1f6;--card:#fff;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--me:#4f46e5;--them:#f3f4f6;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);}
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{background:linear-gradient(160deg,#e0e7ff 0%,var(--bg) 45%,#f8fafc 100%);display:flex;align-items:center;justify-content:center}
.card{width:min(440px,100%);height:min(680px,100%);background:var(--card);border-radius:20px;box-shadow:0 20px 50px rgba(15,23,42,.14),0 2px 6px rgba(15,23,42,.06);
  display:flex;flex-direction:column;overflow:hidden}
header{background:var(--brand);color:var(--brand-ink);padding:18px 20px;display:flex;gap:12px;align-items:center}
.avatar{width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.18);display:grid;place-items:center;flex:none}
.avatar svg{width:22px;height:22px}
header h1{font-size:17px;margin:0;font-weight:650;letter-spacing:-.01em}
header p{margin:2px 0 0;font-size:13px;opacity:.85}
.status{display:inline-flex;align-items:center;gap:6px}
.dot{width:8px;height:8px;border-radius:50%;background:#a3e635;flex:none}
.status[data-state="offline"] .dot{background:#fbbf24}
main{flex:1;display:flex;flex-direction:column;min-height:0}
.start{flex:1;display:flex;flex-direction:column;justify-content:center;padding:28px;gap:14px}
.start h2{font-size:20px;margin:0 0 4px;letter-spacing:-.01em}
.start p{margin:0 0 8px;color:var(--muted);font-size:14px;line-height:1.5}
label{font-size:13px;font-weight:600;color:#374151}
input,textarea{font:inherit;font-size:15px;color:var(--ink);border:1px solid #d1d5db;border-radius:12px;padding:11px 13px;background:#fff;width:100%}
input:focus,textarea:focus{outline:2px solid color-mix(in srgb,var(--brand) 35%,transparent);border-color:var(--brand)}
button{font:inherit;font-weight:600;font-size:15px;border:0;border-radius:12px;padding:11px 18px;background:var(--brand);color:var(--brand-ink);cursor:pointer}
button:hover{filter:brightness(1.08)}
button:focus-visible{outline:3px solid color-mix(in srgb,var(--brand) 40%,transparent);outline-offset:2px}
button:disabled{opacity:.5;cursor:default}
.log{flex:1;overflow-y:auto;padding:18px 16px 8px;display:flex;flex-direction:column;gap:6px;scroll-behavior:smooth}
.empty{margin:auto;text-align:center;color:var(--muted);font-size:14px;max-width:260px;line-height:1.5}
.msg{max-width:80%;padding:9px 13px;border-radius:18px;font-size:15px;line-height:1.4;white-space:pre-wrap;overflow-wrap:anywhere}
.msg[data-from="customer"]{align-self:flex-end;background:var(--me);color:#fff;border-bottom-right-radius:6px}
.msg[data-from="agent"]{align-self:flex-start;background:var(--them);border-bottom-left-radius:6px}
.msg .who{display:block;font-size:12px;font-weight:600;color:var(--muted);margin-bottom:2px}
.msg .meta{display:block;font-size:11px;margin-top:3px;opacity:.7;text-align:right}
.msg.pending{opacity:.75}
.msg.waiting .meta,.msg.failed .meta{opacity:1;font-weight:600}
.msg.failed{background:#fee2e2;color:#7f1d1d}
.att{margin:2px 0 4px}
.att img{display:block;max-width:100%;max-height:240px;border-radius:12px}
.att audio{display:block;width:240px;max-width:100%;height:40px}
.att video{display:block;max-width:100%;border-radius:12px}
.att a{color:inherit;font-weight:600}
.composer{border-top:1px solid var(--line);padding:12px;display:flex;gap:8px;align-items:flex-end;background:#fff}
.composer textarea{resize:none;height:46px;max-height:140px;border-radius:23px;padding:12px 16px}
.composer button{border-radius:23px;height:46px;padding:0 20px}
.notice{font-size:13px;color:#92400e;background:#fef3c7;padding:8px 14px;margin:0}
.notice:empty{display:none}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{font-size:11px;color:var(--muted);text-align:center;padding:0 0 10px;background:#fff}
[hidden]{display:none!important}
@media (max-width:520px){body{align-items:stretch}.card{height:100%;width:100%;border-radius:0;box-shadow:none}}
`;

const SCRIPT = String.raw`
(function(){
'use strict';
var cfg = JSON.parse(document.getElementById('webchat-config').textContent);
var T = {
  en: {title:'Chat with us', online:'We reply as soon as we can', offline:'Reconnecting… your messages will be sent', welcome:'Hi there!', intro:'Tell us your name and we will connect you with our team.',
       name:'Your name', start:'Start chat', message:'Message', placeholder:'Write a message…', send:'Send', log:'Conversation',
       empty:'Send us a message: an agent will reply right here.', you:'You', agent:'Agent', sending:'Sending…', powered:'Powered by Bandeja', voice:'Voice note', audio:'Audio', image:'Image', file:'Download',
       joinLimited:'Many people are starting chats right now. We will connect you in {s}.', sayLimited:'You are sending messages very fast. We will send yours in {s}.',
       newVisitorLimited:'Many people are starting chats right now. We will send your message in {s}.', notSentYet:'Not sent yet · trying again in {s}', notSent:'Not sent', joinRefused:'This chat could not be opened here. Start a new chat.',
       errors:{MESSAGE_TOO_LONG:'This message is too long. Split it into shorter messages.', EMPTY_MESSAGE:'Write something before sending.', UNAUTHORIZED:'This chat could not be opened here. Reload the page to start a new chat.', refused:'This message could not be sent. Change it and try again.', other:'Something went wrong. Please try again.'}},
  es: {title:'Chatea con nosotros', online:'Respondemos lo antes posible', offline:'Reconectando… tus mensajes se enviarán', welcome:'¡Hola!', intro:'Dinos tu nombre y te pondremos en contacto con nuestro equipo.',
       name:'Tu nombre', start:'Iniciar chat', message:'Mensaje', placeholder:'Escribe un mensaje…', send:'Enviar', log:'Conversación',
       empty:'Envíanos un mensaje: un agente te responderá aquí mismo.', you:'Tú', agent:'Agente', sending:'Enviando…', powered:'Con la tecnología de Bandeja', voice:'Nota de voz', audio:'Audio', image:'Imagen', file:'Descargar',
       joinLimited:'Muchas personas están iniciando chats ahora mismo. Te conectaremos en {s}.', sayLimited:'Estás enviando mensajes muy rápido. Enviaremos el tuyo en {s}.',
       newVisitorLimited:'Muchas personas están iniciando chats ahora mismo. Enviaremos tu mensaje en {s}.', notSentYet:'Aún no enviado · reintentando en {s}', notSent:'No enviado', joinRefused:'No se pudo abrir este chat aquí. Empieza un chat nuevo.',
       errors:{MESSAGE_TOO_LONG:'El mensaje es demasiado largo. Divídelo en mensajes más cortos.', EMPTY_MESSAGE:'Escribe algo antes de enviar.', UNAUTHORIZED:'No se pudo abrir este chat aquí. Recarga la página para empezar uno nuevo.', refused:'No se pudo enviar este mensaje. Cámbialo e inténtalo de nuevo.', other:'Algo salió mal. Inténtalo de nuevo.'}},
  'pt-BR': {title:'Fale conosco', online:'Respondemos o quanto antes', offline:'Reconectando… suas mensagens serão enviadas', welcome:'Olá!', intro:'Diga seu nome e vamos conectar você à nossa equipe.',
       name:'Seu nome', start:'Iniciar conversa', message:'Mensagem', placeholder:'Escreva uma mensagem…', send:'Enviar', log:'Conversa',
       empty:'Envie uma mensagem: um atendente responderá aqui mesmo.', you:'Você', agent:'Atendente', sending:'Enviando…', powered:'Desenvolvido com Bandeja', voice:'Mensagem de voz', audio:'Áudio', image:'Imagem', file:'Baixar',
       joinLimited:'Muitas pessoas estão iniciando conversas agora. Vamos conectar você em {s}.', sayLimited:'Você está enviando mensagens muito rápido. Enviaremos a sua em {s}.',
       newVisitorLimited:'Muitas pessoas estão iniciando conversas agora. Enviaremos sua mensagem em {s}.', notSentYet:'Ainda não enviada · tentando de novo em {s}', notSent:'Não enviada', joinRefused:'Não foi possível abrir esta conversa aqui. Comece uma nova conversa.',
       errors:{MESSAGE_TOO_LONG:'A mensagem é longa demais. Divida-a em mensagens menores.', EMPTY_MESSAGE:'Escreva algo antes de enviar.', UNAUTHORIZED:'Não foi possível abrir esta conversa aqui. Recarregue a página para começar outra.', refused:'Não foi possível enviar esta mensagem. Altere-a e tente novamente.', other:'Algo deu errado. Tente novamente.'}}
};
function pickLang(){
  var asked = new URLSearchParams(location.search).get('lang') || navigator.language || 'en';
  var l = asked.toLowerCase();
  if (l.indexOf('es') === 0) return 'es';
  if (l.indexOf('pt') === 0) return 'pt-BR';
  return 'en';
}
var lang = pickLang(), t = T[lang];
document.documentElement.lang = lang;
document.title = t.title + ' · ' + cfg.inboxName;
function $(id){ return document.getElementById(id); }
function setText(id, s){ $(id).textContent = s; }
setText('title', t.title); setText('subtitle-text', t.online); setText('welcome', t.welcome); setText('intro', t.intro);
setText('name-label', t.name); setText('start', t.start); setText('message-label', t.message); setText('send', t.send); setText('powered', t.powered);
$('message').placeholder = t.placeholder; $('message').maxLength = cfg.maxChars;
var logEl = $('log'); logEl.setAttribute('aria-label', t.log);

function randomHex(bytes){ var a = new Uint8Array(bytes); crypto.getRandomValues(a); return Array.prototype.map.call(a, function(b){ return (b < 16 ? '0' : '') + b.toString(16); }).join(''); }
function uuid(){
  if (crypto.randomUUID) return crypto.randomUUID();
  var h = randomHex(16).split('');
  h[12] = '4'; h[16] = '89ab'[parseInt(h[16], 16) & 3];
  h = h.join('');
  return h.slice(0,8)+'-'+h.slice(8,12)+'-'+h.slice(12,16)+'-'+h.slice(16,20)+'-'+h.slice(20);
}
var KEY = 'bandeja.webchat.' + cfg.slug;
function load(k, fallback){ try { var v = localStorage.getItem(k); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; } }
function save(k, v){ try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) {} }
var visitor = load(KEY, null);
// Messages typed but not yet confirmed by the server, sent again with the same id (stored once): after a
// reconnect, and on their own after a passing failure or a wait the server asked for (nextAt).
var outbox = load(KEY + '.outbox', []);
outbox.forEach(function(m){ m.nextAt = 0; m.tries = 0; });
var shown = {};
var ws = null, ready = false, attempt = 0;

function fmtTime(ms){ try { return new Date(ms).toLocaleTimeString(lang, {hour:'2-digit', minute:'2-digit'}); } catch (e) { return ''; } }
function fmtDur(ms){ var s = Math.round((ms || 0) / 1000); return Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2); }
// An agent's file: images shown, voice notes and audio played inline, anything else a download link.
// Media links expire (cfg.mediaTtlMs): the page re-joins before that and on a failed load, and each
// 'joined' brings fresh links (refreshLinks).
function attachmentEl(a){
  var box = document.createElement('div'); box.className = 'att att-' + a.kind;
  box.addEventListener('error', function(){ box.setAttribute('data-failed', '1'); askFreshLinks(); }, true);
  if (a.kind === 'image') {
    var img = document.createElement('img'); img.src = a.url; img.alt = t.image + ': ' + a.name; box.appendChild(img);
  } else if (a.kind === 'voice' || a.kind === 'audio' || a.kind === 'video') {
    var media = document.createElement(a.kind === 'video' ? 'video' : 'audio'); media.controls = true; media.preload = 'metadata'; media.src = a.url;
    media.setAttribute('aria-label', (a.kind === 'voice' ? t.voice : t.audio) + (a.durationMs ? ' ' + fmtDur(a.durationMs) : '') + (a.kind === 'voice' ? '' : ': ' + a.name));
    box.appendChild(media);
  } else {
    var link = document.createElement('a'); link.href = a.url; link.download = a.name; link.rel = 'noopener'; link.textContent = a.name;
    link.setAttribute('aria-label', t.file + ': ' + a.name); box.appendChild(link);
  }
  return box;
}
function refreshLinks(el, m){
  var boxes = el.querySelectorAll('.att');
  (m.attachments || []).forEach(function(a, i){
    var box = boxes[i], x = box && box.querySelector('img,audio,video,a');
    if (!x) return;
    var failed = box.getAttribute('data-failed') === '1';
    box.removeAttribute('data-failed');
    if (x.tagName === 'A') x.href = a.url;
    else if (x.tagName === 'IMG') { if (failed || !x.complete || x.naturalWidth === 0) x.src = a.url; }
    // A paused player that has not started, or one whose link failed, takes the fresh link; one in use keeps its own.
    else if (failed || (x.paused && x.currentTime === 0)) x.src = a.url;
  });
}
var lastAsked = 0;
function askFreshLinks(){
  if (!ready || Date.now() - lastAsked < 10000) return;
  lastAsked = Date.now(); sendJoin();
}
// A join in flight: an error naming no message is its answer. Reset by every answer, so a refused join
// is tried again (after the wait asked for, or a backoff) rather than waiting forever.
var joining = false, joinTries = 0;
function sendJoin(){
  if (!ws || ws.readyState !== 1 || !visitor) return;
  joining = true;
  ws.send(JSON.stringify({type:'join', visitorId:visitor.visitorId, secret:visitor.secret, name:visitor.name}));
}
var refreshTimer = null, retryTimer = null, flushTimer = null;
// A few seconds, doubling, at most a minute, spread a little so many pages do not retry together.
function backoff(tries){ return Math.min(60000, 2000 * Math.pow(2, Math.max(0, tries - 1))) * (0.8 + Math.random() * 0.4); }
// A wait in the visitor's words: "40 seconds", "10 minutes" (short: "40 sec", "10 min"), plural and all.
function duration(ms, display){
  var s = Math.max(1, Math.ceil(ms / 1000)), unit = s < 90 ? 'second' : 'minute', n = unit === 'second' ? s : Math.round(s / 60);
  try { return new Intl.NumberFormat(lang, {style:'unit', unit:unit, unitDisplay:display}).format(n); } catch (e) { return n + (unit === 'second' ? ' s' : ' min'); }
}
function secondsText(text, ms){ return text.replace('{s}', duration(ms, 'long')); }
function shortWait(text, ms){ return text.replace('{s}', duration(ms, 'short')); }
function render(m, pending){
  var el = shown[m.id];
  if (el && !pending) refreshLinks(el, m);
  if (!el) {
    el = document.createElement('div');
    el.className = 'msg';
    el.setAttribute('data-from', m.from);
    el.setAttribute('data-id', m.id);
    if (m.from === 'agent') newestAgent = m.id;
    if (m.from === 'agent') { var who = document.createElement('span'); who.className = 'who'; who.textContent = m.authorName || t.agent; el.appendChild(who); }
    (m.attachments || []).forEach(function(a){ el.appendChild(attachmentEl(a)); });
    if (m.body || !(m.attachments || []).length) { var body = document.createElement('span'); body.className = 'body'; body.textContent = m.body; el.appendChild(body); }
    var meta = document.createElement('span'); meta.className = 'meta'; el.appendChild(meta);
    shown[m.id] = el;
    var empty = $('empty'); if (empty) empty.remove();
    logEl.appendChild(el);
    logEl.scrollTop = logEl.scrollHeight;
  }
  el.classList.toggle('pending', !!pending);
  el.classList.remove('waiting', 'failed');
  el.querySelector('.meta').textContent = pending ? t.sending : fmtTime(m.createdAt);
}
// A message of ours that waits to be sent again (ms from now), or that the server refused for good (why).
function markWaiting(id, ms){
  var el = shown[id]; if (!el) return;
  el.classList.add('pending', 'waiting');
  el.querySelector('.meta').textContent = shortWait(t.notSentYet, ms);
}
function markFailed(id, why){
  var el = shown[id]; if (!el) return;
  el.classList.remove('pending', 'waiting'); el.classList.add('failed');
  el.querySelector('.meta').textContent = t.notSent + ' · ' + why;
}
function notice(s){ setText('notice', s || ''); }
function setOnline(on){
  $('subtitle').setAttribute('data-state', on ? 'online' : 'offline');
  setText('subtitle-text', on ? t.online : t.offline);
}
function sendFrame(f){ if (ws && ready) ws.send(JSON.stringify(f)); }
// Agents see their message as read once it was on screen while the page was visible.
var newestAgent = null, seenSent = null;
function reportSeen(){
  if (!ready || !newestAgent || newestAgent === seenSent || document.visibilityState !== 'visible') return;
  seenSent = newestAgent; sendFrame({type:'seen', messageId:newestAgent});
}
document.addEventListener('visibilitychange', reportSeen);
function sendOne(m){
  if (!ready) return;
  m.nextAt = 0;
  if (shown[m.id]) render({id:m.id, from:'customer', body:m.body, createdAt:m.createdAt}, true);
  sendFrame({type:'say', id:m.id, body:m.body});
}
// Sends every message whose time has come, and wakes up for the next one.
function flushOutbox(){
  clearTimeout(flushTimer); flushTimer = null;
  var now = Date.now(), next = Infinity;
  outbox.forEach(function(m){ if (!m.nextAt || m.nextAt <= now) sendOne(m); else next = Math.min(next, m.nextAt); });
  if (next < Infinity) flushTimer = setTimeout(flushOutbox, next - now);
}
function retryLater(id, ms){
  var m = outbox.find(function(x){ return x.id === id; });
  if (!m) return;
  m.nextAt = Date.now() + ms;
  markWaiting(id, ms);
  if (ready) flushOutbox();
}

function connect(){
  var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(proto + '//' + location.host + cfg.socketPath);
  var sock = ws;
  sock.onopen = function(){ attempt = 0; sendJoin(); };
  sock.onmessage = function(ev){
    var f; try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === 'joined') {
      ready = true; joining = false; joinTries = 0; setOnline(true); notice('');
      f.history.forEach(function(m){ render(m, false); });
      outbox = outbox.filter(function(m){ return !f.history.some(function(h){ return h.id === m.id; }); });
      save(KEY + '.outbox', outbox);
      // A fresh connection: everything unsent goes now.
      outbox.forEach(function(m){ m.nextAt = 0; render({id:m.id, from:'customer', body:m.body, createdAt:m.createdAt}, true); });
      flushOutbox();
      seenSent = null; reportSeen();
      clearTimeout(refreshTimer); refreshTimer = setTimeout(sendJoin, cfg.mediaTtlMs / 2);
    } else if (f.type === 'message') {
      render(f.message, false);
      reportSeen();
      if (f.message.from === 'customer') { outbox = outbox.filter(function(m){ return m.id !== f.message.id; }); save(KEY + '.outbox', outbox); }
    } else if (f.type === 'error' && f.messageId && (f.error.code === 'RATE_LIMITED' || f.error.code === 'INTERNAL')) {
      // Held back, or a passing failure: this message goes again by itself after the wait asked for, or a backoff.
      var m = outbox.find(function(x){ return x.id === f.messageId; });
      if (!m) return;
      m.tries = (m.tries || 0) + 1;
      var later = f.error.code === 'RATE_LIMITED' ? (Number(f.error.params && f.error.params.retryAfterMs) || 5000) : backoff(m.tries);
      if (f.error.code === 'RATE_LIMITED') notice(secondsText(f.error.params && f.error.params.reason === 'newVisitor' ? t.newVisitorLimited : t.sayLimited, later));
      retryLater(m.id, later);
    } else if (f.type === 'error' && f.messageId) {
      // Refused for good: shown on that message, which is not sent again; its words go back to the composer.
      var why = t.errors[f.error.code] || t.errors.refused;
      notice(why);
      dropRejected(f.messageId, why);
    } else if (f.type === 'error' && joining) {
      // The join was refused: held back (tried again after the wait), a passing failure (tried again after a
      // backoff), or this browser's chat is not this visitor's (she starts a new chat).
      joining = false;
      clearTimeout(retryTimer);
      if (f.error.code === 'UNAUTHORIZED') return startOver();
      var wait = f.error.code === 'RATE_LIMITED' ? (Number(f.error.params && f.error.params.retryAfterMs) || 5000) : backoff(++joinTries);
      if (!ready) notice(f.error.code === 'RATE_LIMITED' ? secondsText(t.joinLimited, wait) : t.errors.other);
      retryTimer = setTimeout(function(){ if (ws === sock) sendJoin(); }, wait);
    } else if (f.type === 'error' && f.error.code === 'RATE_LIMITED') {
      // From an older server, naming no message: the unsent ones go again after the wait.
      var all = Number(f.error.params && f.error.params.retryAfterMs) || 5000;
      notice(secondsText(t.sayLimited, all));
      outbox.forEach(function(x){ retryLater(x.id, all); });
    } else if (f.type === 'error') {
      // An older server names no message: it refuses only the oldest.
      var oldest = f.error.code === 'MESSAGE_TOO_LONG' || f.error.code === 'EMPTY_MESSAGE';
      notice(t.errors[f.error.code] || t.errors.other);
      if (oldest) dropRejected(null, t.errors[f.error.code]);
    }
  };
  sock.onclose = function(ev){
    if (ws !== sock) return;
    // A server restarting (1012) sends her to another one at once, without a failure's backoff; a server
    // that does it again before she joined gets the backoff.
    var restarting = ev && ev.code === 1012 && ready;
    ready = false; joining = false; setOnline(false); clearTimeout(refreshTimer); clearTimeout(retryTimer); clearTimeout(flushTimer);
    if (restarting) attempt = 0;
    var delay = restarting ? Math.random() * 250 : Math.random() * Math.min(10000, 500 * Math.pow(2, attempt++));
    setTimeout(connect, delay);
  };
}
// The server refused a message for good (the one named, else the oldest unconfirmed): it is not sent again,
// the rest can go; it stays on the page marked "Not sent" with why, and its words go back to the composer.
function dropRejected(id, why){
  var i = id ? outbox.findIndex(function(m){ return m.id === id; }) : 0;
  if (i < 0) return;
  var m = outbox.splice(i, 1)[0]; save(KEY + '.outbox', outbox);
  if (!m) return;
  markFailed(m.id, why);
  if (!$('message').value) $('message').value = m.body;
}
// This browser's chat belongs to someone else (its secret is refused): forget it and start a new one.
function startOver(){
  var sock = ws; ws = null; ready = false;
  if (sock) sock.close();
  clearTimeout(refreshTimer); clearTimeout(retryTimer); clearTimeout(flushTimer);
  try { localStorage.removeItem(KEY); localStorage.removeItem(KEY + '.outbox'); } catch (e) {}
  visitor = null; outbox = []; shown = {};
  logEl.textContent = '';
  $('chat-view').hidden = true; $('start-form').hidden = false;
  notice(''); setOnline(true);
  setText('intro', t.joinRefused);
  $('name').focus();
}
function openChat(){
  $('start-form').hidden = true; $('chat-view').hidden = false;
  var empty = document.createElement('p'); empty.id = 'empty'; empty.className = 'empty'; empty.textContent = t.empty;
  if (!logEl.firstChild) logEl.appendChild(empty);
  setOnline(false);
  connect();
  $('message').focus();
}
$('start-form').addEventListener('submit', function(e){
  e.preventDefault();
  var name = $('name').value.trim();
  if (!name) { $('name').focus(); return; }
  visitor = {visitorId: uuid(), secret: randomHex(32), name: name};
  save(KEY, visitor);
  openChat();
});
function submitMessage(){
  var box = $('message'), body = box.value;
  if (!body.trim()) return;
  var m = {id: uuid(), body: body, createdAt: Date.now(), nextAt: 0, tries: 0};
  outbox.push(m); save(KEY + '.outbox', outbox);
  render({id:m.id, from:'customer', body:body, createdAt:m.createdAt}, true);
  box.value = ''; notice('');
  sendOne(m);
}
$('chat-form').addEventListener('submit', function(e){ e.preventDefault(); submitMessage(); $('message').focus(); });
$('message').addEventListener('keydown', function(e){ if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submitMessage(); } });
if (visitor) openChat(); else { $('start-form').hidden = false; $('name').focus(); }
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const PAGE_BODY = `<div class="card">
<header>
  <div class="avatar" aria-hidden="true"><svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg></div>
  <div><h1 id="title"></h1><p id="subtitle" class="status" data-state="online"><span class="dot" aria-hidden="true"></span><span id="subtitle-text" role="status"></span></p></div>
</header>
<main>
  <form id="start-form" class="start" hidden>
    <h2 id="welcome"></h2><p id="intro"></p>
    <label for="name" id="name-label"></label>
    <input id="name" name="name" autocomplete="name" maxlength="120" required>
    <button id="start" type="submit"></button>
  </form>
  <section id="chat-view" class="chat" hidden>
    <div id="log" class="log" role="log" aria-live="polite" aria-label="Conversation"></div>
    <p id="notice" class="notice" role="alert"></p>
    <form id="chat-form" class="composer">
      <label for="message" id="message-label" class="sr"></label>
      <textarea id="message" name="message" rows="1"></textarea>
      <button id="send" type="submit"></button>
    </form>
  </section>
</main>
<footer id="powered"></footer>
</div>`;

const EXTRA_STYLE = `.chat{flex:1;display:flex;flex-direction:column;min-height:0}`;
const FULL_STYLE = STYLE + EXTRA_STYLE;
const STYLE_HASH = sha256(FULL_STYLE);
const SCRIPT_HASH = sha256(SCRIPT);

export interface WebchatPageConfig {
  slug: string;
  inboxName: string;
  socketPath: string;
  /** How long media links work; the page fetches fresh ones at half that. */
  mediaTtlMs: number;
}

/** Inline JSON must not be able to close its <script> element. */
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function webchatPage(config: WebchatPageConfig): string {
  const data = jsonForHtml({ ...config, maxChars: MESSAGE_MAX_CHARS });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat</title>
<link rel="icon" href="data:,">
<style>${FULL_STYLE}</style>
</head>
<body>
${PAGE_BODY}
<script type="application/json" id="webchat-config">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>`;
}

/** Allows the page's own style and script (by hash) and its socket back to this server, nothing else. */
export function webchatCsp(host: string | undefined): string {
  const socket = host ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    `script-src ${SCRIPT_HASH}`,
    `style-src ${STYLE_HASH}`,
    `connect-src 'self'${socket}`,
    "img-src 'self' data:",
    "media-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function notFoundPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat not found</title><style>${FULL_STYLE}</style></head><body><div class="card"><main><div class="start">
<h2>Chat not found</h2><p>This chat link does not exist. Check the address, or contact the business another way.</p></div></main></div></body></html>`;
}
