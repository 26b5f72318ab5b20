// Spanish and Portuguese customer-service texts of realistic lengths, from phrase banks and a PRNG.
import type { Random } from './random';

export type Lang = 'es' | 'pt';

/** Terms the search benchmark looks for (see benchmarks/search.ts). */
export const SEARCH_TERMS = {
  /** In about one message in 20,000. */
  rare: 'zarzaparrilla',
  /** In most messages, in both languages. */
  common: 'pedido',
  /** A two-letter prefix: como, compra, com, conta, cobrança, código… */
  prefix: 'co',
} as const;

const BANK: Record<Lang, { openers: string[]; customer: string[]; agent: string[]; closers: string[]; filler: string[]; notes: string[] }> =
  {
    es: {
      openers: ['Hola', 'Buenas tardes', 'Buenos días', 'Hola, ¿qué tal?', 'Disculpe', 'Buenas noches'],
      customer: [
        'todavía no recibí mi pedido número {n}',
        'quiero cambiar la dirección de entrega del pedido',
        'me cobraron dos veces la misma compra con la tarjeta',
        'el producto llegó roto y necesito una devolución',
        '¿cómo hago para cancelar mi suscripción?',
        'no puedo entrar a mi cuenta, dice que la contraseña es incorrecta',
        '¿tienen stock del modelo {n} en color azul?',
        'el repartidor no encontró mi casa y el pedido volvió',
        'necesito la factura de mi compra del mes pasado',
        '¿cuánto tarda el envío a Córdoba?',
        'el código de descuento no funciona en el carrito',
        'quiero hablar con una persona, el bot no me entiende',
      ],
      agent: [
        'gracias por escribirnos, ya reviso su pedido',
        'le pido por favor el número de pedido para buscarlo',
        'ya generé la devolución, en 48 horas le llega el reembolso',
        'el envío está en camino, el código de seguimiento es {n}',
        'lamento mucho las molestias, lo solucionamos enseguida',
        'le envié un correo con los pasos para recuperar la contraseña',
        'ya corregí la dirección de entrega de su pedido',
        'sí, tenemos stock, ¿quiere que le reserve una unidad?',
        'la factura ya está disponible en su cuenta',
      ],
      closers: ['Gracias', 'Muchas gracias', 'Saludos', 'Quedo atento', 'Que tenga buen día', '¡Perfecto!'],
      filler: ['la verdad', 'como le decía', 'por otro lado', 'además', 'sinceramente', 'si es posible', 'lo antes posible'],
      notes: [
        'cliente frecuente, ofrecer cupón',
        'revisar con logística antes de responder',
        'pidió hablar con supervisor',
        'caso escalado a facturación',
      ],
    },
    pt: {
      openers: ['Olá', 'Oi', 'Boa tarde', 'Bom dia', 'Com licença', 'Boa noite'],
      customer: [
        'ainda não recebi meu pedido número {n}',
        'quero mudar o endereço de entrega do pedido',
        'fui cobrado duas vezes pela mesma compra no cartão',
        'o produto chegou quebrado e preciso de uma troca',
        'como faço para cancelar minha assinatura?',
        'não consigo entrar na minha conta, diz que a senha está errada',
        'vocês têm o modelo {n} na cor azul?',
        'o entregador não achou minha casa e o pedido voltou',
        'preciso da nota fiscal da compra do mês passado',
        'quanto tempo demora a entrega para Campinas?',
        'o cupom de desconto não funciona no carrinho',
        'quero falar com uma pessoa, o robô não me entende',
      ],
      agent: [
        'obrigado por nos escrever, já estou verificando seu pedido',
        'por favor, me informe o número do pedido',
        'já gerei a troca, em 48 horas o reembolso cai na sua conta',
        'a entrega está a caminho, o código de rastreio é {n}',
        'sinto muito pelo transtorno, vamos resolver agora',
        'enviei um e-mail com os passos para recuperar a senha',
        'já corrigi o endereço de entrega do seu pedido',
        'sim, temos em estoque, quer que eu reserve uma unidade?',
        'a nota fiscal já está disponível na sua conta',
      ],
      closers: ['Obrigado', 'Muito obrigada', 'Abraços', 'Fico no aguardo', 'Tenha um bom dia', 'Perfeito!'],
      filler: ['na verdade', 'como eu disse', 'por outro lado', 'além disso', 'sinceramente', 'se possível', 'o quanto antes'],
      notes: [
        'cliente frequente, oferecer cupom',
        'verificar com a logística antes de responder',
        'pediu para falar com o supervisor',
        'caso escalado para o financeiro',
      ],
    },
  };

const FIRST: Record<Lang, string[]> = {
  es: [
    'María',
    'José',
    'Lucía',
    'Carlos',
    'Sofía',
    'Javier',
    'Valentina',
    'Diego',
    'Camila',
    'Martín',
    'Florencia',
    'Andrés',
    'Paula',
    'Tomás',
  ],
  pt: [
    'João',
    'Ana',
    'Pedro',
    'Beatriz',
    'Lucas',
    'Mariana',
    'Gabriel',
    'Juliana',
    'Rafael',
    'Fernanda',
    'Thiago',
    'Larissa',
    'Bruno',
    'Camila',
  ],
};
const LAST: Record<Lang, string[]> = {
  es: ['García', 'Rodríguez', 'Fernández', 'López', 'Martínez', 'Gómez', 'Pérez', 'Sánchez', 'Romero', 'Díaz', 'Álvarez', 'Torres'],
  pt: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Rodrigues', 'Almeida', 'Nascimento', 'Lima', 'Araújo', 'Ribeiro'],
};

export function personName(rnd: Random, lang: Lang): string {
  return `${rnd.pick(FIRST[lang])} ${rnd.pick(LAST[lang])}`;
}

function fill(rnd: Random, s: string): string {
  return s.replace('{n}', String(10_000 + rnd.int(90_000)));
}

/** A message body: mostly one or two short sentences, now and then a long complaint (up to ~600 chars). */
export function messageBody(rnd: Random, lang: Lang, who: 'customer' | 'agent' | 'note'): string {
  const bank = BANK[lang];
  if (who === 'note') return fill(rnd, rnd.pick(bank.notes));
  const lines = who === 'customer' ? bank.customer : bank.agent;
  const roll = rnd.next();
  const sentences = roll < 0.55 ? 1 : roll < 0.85 ? 2 : roll < 0.97 ? 3 + rnd.int(3) : 6 + rnd.int(6);
  const parts: string[] = [];
  if (rnd.chance(0.4)) parts.push(`${rnd.pick(bank.openers)},`);
  for (let i = 0; i < sentences; i++) {
    if (i > 0 && rnd.chance(0.3)) parts.push(`${rnd.pick(bank.filler)},`);
    parts.push(`${fill(rnd, rnd.pick(lines))}.`);
  }
  if (rnd.chance(0.00005)) parts.push(`¿Tienen jarabe de ${SEARCH_TERMS.rare}?`);
  if (rnd.chance(0.25)) parts.push(`${rnd.pick(bank.closers)}.`);
  const text = parts.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
