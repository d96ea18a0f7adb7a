// Small helpers to build the pages' DOM without innerHTML (no markup from data ever reaches the parser).

/** el('td', { class: 'number' }, '12') — children are nodes or text; null and false are skipped. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const shapes = { Healthy: '●', Warning: '▲', Critical: '◆', Offline: '✕', Unknown: '○' };

export const healthStates = ['Critical', 'Warning', 'Healthy', 'Unknown', 'Offline'];

/** A health state as shape + word + colour, so that it reads without colour too. */
export function healthBadge(state) {
  return el('span', { class: `health health-${state.toLowerCase()}` },
    el('span', { class: 'shape', 'aria-hidden': 'true' }, shapes[state] ?? '?'),
    state);
}

export function number(value, digits = 3) {
  if (value === null || value === undefined) return '—';
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en') : Number(value).toPrecision(digits);
}

/** A whole number with thousands separators. */
export function count(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString('en');
}

export function time(value) {
  if (!value) return '—';
  const date = new Date(value);
  return el('time', { datetime: date.toISOString() }, date.toLocaleString('en-GB', { hour12: false }));
}

export function link(href, text) {
  return el('a', { href }, text);
}

export function table(caption, headings, rows) {
  return el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, headings.map(h => typeof h === 'string'
      ? el('th', { scope: 'col' }, h)
      : el('th', { scope: 'col', class: h.class }, h.text)))),
    el('tbody', {}, rows));
}

export function errorNotice(error) {
  return el('p', { class: 'error', role: 'alert' }, `Could not load: ${error.message}`);
}

/** The links between a fleet's pages; the current one is marked for assistive technology too. */
export function fleetNav(fleetId, current) {
  const fleet = encodeURIComponent(fleetId);
  const pages = [['devices', `#/fleets/${fleet}`, 'Devices'], ['alarms', `#/fleets/${fleet}/alarms`, 'Alarms'], ['maintenance', `#/fleets/${fleet}/maintenance`, 'Maintenance']];
  return el('nav', { class: 'fleet-nav', 'aria-label': `Pages of fleet ${fleetId}` },
    el('ul', {}, pages.map(([name, href, text]) => el('li', {}, el('a', { href, 'aria-current': name === current ? 'page' : null }, text)))));
}
