// How many conversations wait for me, where a browser tab or a window shows it: the document title
// ("(3) Bandeja") and a count drawn on the favicon, like the dock badge and the tray in Electron.
import iconUrl from '../../assets/icon-256.png';

let icon: Promise<HTMLImageElement> | null = null;
function loadIcon(): Promise<HTMLImageElement> {
  return (icon ??= new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('icon'));
    img.src = iconUrl;
  }));
}

function faviconLink(): HTMLLinkElement {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.appendChild(link);
  }
  return link;
}

async function drawFavicon(count: number): Promise<string> {
  if (count === 0) return iconUrl;
  const size = 64;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  if (!ctx) return iconUrl;
  ctx.drawImage(await loadIcon(), 0, 0, size, size);
  const text = count > 99 ? '99+' : String(count);
  const radius = text.length > 1 ? 20 : 17;
  ctx.fillStyle = '#e11d48';
  ctx.beginPath();
  ctx.arc(size - radius, radius, radius, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.font = `bold ${text.length > 2 ? 18 : 26}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, size - radius, radius + 1);
  return canvas.toDataURL('image/png');
}

let drawn = -1;
export function showWaitingCount(count: number, appName: string): void {
  document.title = count > 0 ? `(${count}) ${appName}` : appName;
  if (count === drawn) return;
  drawn = count;
  void drawFavicon(count)
    .then((href) => {
      if (drawn === count) faviconLink().href = href;
    })
    .catch(() => undefined);
}
