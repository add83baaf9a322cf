// The page: takes files from the picker or a drop, hands them to the worker, and shows for each one what it
// carries, what was removed and kept, and a download link to the clean copy (or why there is none).
import type { MetadataItem } from '@image-sanitizer/core';
import { drawMap, formatCoordinates } from './map.js';
import type { Carried, Outcome, WorkerMessage } from './messages.js';

type Child = Node | string | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) if (child !== undefined && child !== false) node.append(child);
  return node;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `holiday.jpg` -> `holiday-clean.jpg`; a name without an extension gets the format's. */
export function cleanName(name: string, format: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : `.${format === 'jpeg' ? 'jpg' : format}`;
  return `${stem}-clean${extension}`;
}

function describeItem(item: MetadataItem): string {
  const label = item.label ? ` “${item.label}”` : '';
  return `${item.kind}: ${item.container}${label}, ${formatSize(item.length)}`;
}

function itemList(title: string, items: MetadataItem[], empty: string): HTMLElement {
  const list = items.length > 0 ? h('ul', {}, ...items.map((item) => h('li', {}, describeItem(item)))) : h('p', {}, empty);
  return h('section', { class: `items ${title.toLowerCase()}` }, h('h4', {}, `${title} (${items.length})`), list);
}

const objectUrls: string[] = [];
function blobUrl(blob: Blob): string {
  const url = URL.createObjectURL(blob);
  objectUrls.push(url);
  return url;
}

function carriedSection(carried: Carried | undefined): HTMLElement {
  const section = h('section', { class: 'carried' }, h('h3', {}, 'What it carries'));
  if (carried === undefined) {
    section.append(h('p', {}, 'exifr reads no EXIF, GPS, XMP or IPTC fields in this file.'));
    return section;
  }
  if (carried.gps) {
    const { latitude, longitude } = carried.gps;
    section.append(
      h('div', { class: 'gps' }, h('p', {}, h('strong', {}, 'Location: '), formatCoordinates(latitude, longitude)), drawMap(latitude, longitude)),
    );
  }
  if (carried.thumbnail) {
    const url = blobUrl(new Blob([carried.thumbnail], { type: 'image/jpeg' }));
    section.append(h('figure', { class: 'thumbnail' }, h('img', { src: url, alt: 'The embedded thumbnail found in the file' }), h('figcaption', {}, `Embedded thumbnail, ${formatSize(carried.thumbnail.length)}`)));
  }
  if (carried.fields.length > 0) {
    const list = h('dl', { class: 'fields' });
    let group = '';
    for (const field of carried.fields) {
      if (field.group !== group) {
        group = field.group;
        list.append(h('div', { class: 'group' }, h('dt', { class: 'group-name' }, group)));
      }
      list.append(h('div', {}, h('dt', {}, field.label), h('dd', {}, field.value)));
    }
    section.append(list);
  }
  return section;
}

function outcomeSection(fileName: string, size: number, outcome: Outcome): HTMLElement {
  if (!outcome.ok) {
    return h(
      'section',
      { class: 'outcome refused', role: 'alert' },
      h('h3', {}, 'Refused: no clean copy'),
      h('p', { class: 'reason' }, h('code', {}, outcome.code), ' ', outcome.message),
      h('p', {}, 'The sanitizer only hands out files it fully understands. Do not share the original.'),
    );
  }
  const name = cleanName(fileName, outcome.format);
  const saved = size - outcome.blob.size;
  const url = blobUrl(outcome.blob);
  const link = h('a', { class: 'button download', href: url, download: name }, `Download ${name}`);
  const previewable = outcome.format === 'jpeg' || outcome.format === 'png' || outcome.format === 'gif' || outcome.format === 'webp';
  return h(
    'section',
    { class: 'outcome cleaned' },
    h('h3', {}, 'Cleaned'),
    previewable && h('img', { class: 'preview', src: url, alt: `The clean ${outcome.format.toUpperCase()}` }),
    h('p', { class: 'sizes' }, `${outcome.format.toUpperCase()}: ${formatSize(size)} before, ${formatSize(outcome.blob.size)} after`, saved > 0 ? ` (${formatSize(saved)} of metadata removed)` : ''),
    itemList('Removed', outcome.removed, 'Nothing to remove: the file carried no metadata.'),
    itemList('Kept', outcome.kept, 'Nothing kept besides the picture.'),
    link,
  );
}

interface Card {
  root: HTMLLIElement;
  progress: HTMLProgressElement;
  status: HTMLElement;
  name: string;
}

const results = document.getElementById('results') as HTMLOListElement;
const summary = document.getElementById('summary') as HTMLElement;
const cards = new Map<number, Card>();
let nextId = 1;
let pending = 0;
const worker = new Worker('worker.js');

function updateSummary(): void {
  const done = results.querySelectorAll('[data-state="cleaned"]').length;
  const refused = results.querySelectorAll('[data-state="refused"]').length;
  summary.textContent = pending > 0 ? `Working on ${pending} file${pending === 1 ? '' : 's'}…` : `${done} cleaned, ${refused} refused.`;
}

worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  const card = cards.get(message.id);
  if (card === undefined) return;
  if (message.type === 'progress') {
    if (message.phase === 'reading') {
      card.progress.max = message.total || 1;
      card.progress.value = message.loaded;
      card.status.textContent = `Cleaning: ${formatSize(message.loaded)} of ${formatSize(message.total)}`;
    } else {
      card.progress.removeAttribute('value'); // indeterminate while exifr reads the original
      card.status.textContent = 'Reading what it carries…';
    }
    return;
  }
  card.progress.remove();
  card.status.remove();
  card.root.dataset.state = message.outcome.ok ? 'cleaned' : 'refused';
  card.root.setAttribute('aria-busy', 'false');
  card.root.append(h('div', { class: 'columns' }, carriedSection(message.carried), outcomeSection(card.name, message.size, message.outcome)));
  pending--;
  updateSummary();
};

function addFiles(files: Iterable<File>): void {
  for (const file of files) {
    const id = nextId++;
    const progress = h('progress', { max: '1', 'aria-label': `Progress for ${file.name}` });
    const status = h('p', { class: 'status' }, 'Waiting…');
    const root = h('li', { class: 'card', 'data-state': 'working', 'data-file': file.name, 'aria-busy': 'true' }, h('h2', {}, file.name, h('span', { class: 'size' }, ` ${formatSize(file.size)}`)), progress, status);
    results.append(root);
    cards.set(id, { root, progress, status, name: file.name });
    pending++;
    worker.postMessage({ id, file });
  }
  updateSummary();
}

const input = document.getElementById('files') as HTMLInputElement;
input.addEventListener('change', () => {
  if (input.files) addFiles(Array.from(input.files));
  input.value = ''; // choosing the same file again is a new run
});

const drop = document.getElementById('drop') as HTMLElement;
for (const type of ['dragenter', 'dragover'] as const) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop'] as const) drop.addEventListener(type, () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  if (event.dataTransfer?.files) addFiles(Array.from(event.dataTransfer.files));
});
// A drop anywhere else must not make the browser open the photo in place of the page.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());
window.addEventListener('pagehide', () => objectUrls.forEach((url) => URL.revokeObjectURL(url)));
