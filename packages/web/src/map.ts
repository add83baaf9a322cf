// A small world map drawn locally as SVG (equirectangular, coarse coastlines): no tiles, no network.
const SVG = 'http://www.w3.org/2000/svg';

/** Very coarse outlines, [longitude, latitude] pairs, enough to tell a continent from an ocean. */
const LAND: readonly (readonly [number, number])[][] = [
  // North America
  [[-168, 66], [-140, 70], [-95, 72], [-80, 63], [-62, 58], [-55, 48], [-67, 45], [-76, 35], [-81, 25], [-90, 29], [-97, 26], [-97, 19], [-92, 15], [-83, 9], [-78, 8], [-86, 15], [-105, 20], [-117, 32], [-124, 40], [-124, 48], [-135, 58], [-150, 60], [-165, 60]],
  // South America
  [[-80, 9], [-60, 11], [-50, 0], [-35, -7], [-40, -22], [-48, -28], [-58, -38], [-65, -55], [-72, -50], [-71, -30], [-70, -18], [-81, -5]],
  // Europe and Asia
  [[-10, 36], [-9, 43], [-2, 48], [-5, 58], [5, 62], [15, 69], [30, 71], [60, 70], [80, 73], [110, 77], [140, 72], [170, 70], [180, 66], [160, 60], [142, 52], [135, 43], [122, 40], [122, 30], [110, 20], [106, 10], [100, 13], [98, 8], [92, 22], [80, 15], [77, 8], [72, 21], [57, 25], [50, 30], [56, 26], [59, 22], [52, 16], [43, 13], [35, 28], [33, 31], [36, 36], [27, 37], [23, 40], [18, 40], [12, 44], [3, 43], [-5, 36]],
  // Africa
  [[-17, 15], [-16, 24], [-10, 30], [-6, 36], [10, 37], [20, 32], [32, 31], [35, 28], [43, 12], [51, 12], [40, -3], [40, -15], [33, -26], [20, -35], [15, -27], [12, -13], [9, -1], [9, 4], [-8, 5], [-15, 10]],
  // Australia
  [[114, -22], [122, -18], [130, -12], [137, -12], [142, -11], [146, -19], [153, -26], [150, -37], [141, -38], [131, -31], [115, -34]],
  // Greenland
  [[-73, 78], [-20, 83], [-20, 70], [-43, 60], [-55, 64]],
  // Antarctica
  [[-180, -78], [180, -78], [180, -90], [-180, -90]],
];

const x = (longitude: number) => longitude + 180;
const y = (latitude: number) => 90 - latitude;

function element(name: string, attributes: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

/** "52.51670° N, 13.38330° E" */
export function formatCoordinates(latitude: number, longitude: number): string {
  const lat = `${Math.abs(latitude).toFixed(5)}° ${latitude >= 0 ? 'N' : 'S'}`;
  const lon = `${Math.abs(longitude).toFixed(5)}° ${longitude >= 0 ? 'E' : 'W'}`;
  return `${lat}, ${lon}`;
}

/** An SVG world map with a marker where the photo says it was taken. */
export function drawMap(latitude: number, longitude: number): SVGElement {
  const svg = element('svg', { viewBox: '0 0 360 180', class: 'map', role: 'img' });
  svg.setAttribute('aria-label', `Schematic world map with a marker at ${formatCoordinates(latitude, longitude)}`);
  svg.append(element('rect', { x: 0, y: 0, width: 360, height: 180, class: 'sea' }));
  for (let lon = -150; lon < 180; lon += 30) svg.append(element('line', { x1: x(lon), y1: 0, x2: x(lon), y2: 180, class: 'grid' }));
  for (let lat = -60; lat < 90; lat += 30) svg.append(element('line', { x1: 0, y1: y(lat), x2: 360, y2: y(lat), class: 'grid' }));
  for (const outline of LAND) {
    svg.append(element('polygon', { points: outline.map(([lon, lat]) => `${x(lon)},${y(lat)}`).join(' '), class: 'land' }));
  }
  const px = x(Math.max(-180, Math.min(180, longitude)));
  const py = y(Math.max(-90, Math.min(90, latitude)));
  svg.append(element('line', { x1: px, y1: 0, x2: px, y2: 180, class: 'cross' }));
  svg.append(element('line', { x1: 0, y1: py, x2: 360, y2: py, class: 'cross' }));
  svg.append(element('circle', { cx: px, cy: py, r: 5, class: 'marker' }));
  return svg;
}
