// A fleet's devices: pages come from the fleet's shards (filter, search, sort and offset are the API's), never a
// full list in the browser; the page's state is in the address.
import { api } from '../api.js';
import { el, fleetNav, healthBadge, healthStates, link, number, table, time } from '../view.js';

const pageSize = 50;
const sorts = { Severity: 'Severity (score / threshold)', Score: 'Score', LastSeen: 'Last seen', DeviceId: 'Device id' };

export async function render(main, context) {
  const [fleetId] = context.args;
  const params = context.params;
  const state = params.get('state') ?? '';
  const sort = params.get('sort') ?? 'Severity';
  const search = params.get('search') ?? '';
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '0', 10) || 0);

  const query = new URLSearchParams({ sort, offset: String(page * pageSize), limit: String(pageSize) });
  if (state) query.set('state', state);
  if (search) query.set('search', search);
  const result = await api(`/fleets/${encodeURIComponent(fleetId)}/devices?${query}`);

  function go(changes) {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === '' || value === null) next.delete(name);
      else next.set(name, value);
    }
    const text = next.toString();
    location.hash = `#/fleets/${encodeURIComponent(fleetId)}${text ? `?${text}` : ''}`;
  }

  const stateSelect = el('select', { id: 'filter-state', onchange: e => go({ state: e.target.value, page: '' }) },
    el('option', { value: '' }, 'Every state'),
    healthStates.map(s => el('option', { value: s, selected: s === state }, s)));
  const sortSelect = el('select', { id: 'filter-sort', onchange: e => go({ sort: e.target.value, page: '' }) },
    Object.entries(sorts).map(([value, text]) => el('option', { value, selected: value === sort }, text)));
  const searchInput = el('input', { id: 'filter-search', type: 'search', value: search, placeholder: 'part of a device id' });
  const searchForm = el('form', { role: 'search', onsubmit: e => { e.preventDefault(); go({ search: searchInput.value.trim(), page: '' }); } },
    el('label', { for: 'filter-search' }, 'Search by id', searchInput), el('button', { type: 'submit' }, 'Search'));

  const first = result.total === 0 ? 0 : page * pageSize + 1;
  const last = page * pageSize + result.devices.length;
  const deepest = Math.floor((10000 - pageSize) / pageSize);
  main.replaceChildren(
    el('p', {}, link('#/fleets', 'Fleets'), ' › ', fleetId),
    el('h1', {}, `Devices of ${fleetId}`),
    fleetNav(fleetId, 'devices'),
    el('div', { class: 'filters' },
      el('label', { for: 'filter-state' }, 'Health state', stateSelect),
      el('label', { for: 'filter-sort' }, 'Sort by', sortSelect),
      searchForm),
    el('p', { id: 'device-range', 'aria-live': 'polite' }, `${first.toLocaleString('en')}–${last.toLocaleString('en')} of ${result.total.toLocaleString('en')} devices`),
    table(`Devices of ${fleetId}`, ['Device', 'Health', { text: 'Score', class: 'number' }, { text: 'Threshold', class: 'number' }, { text: 'Score / threshold', class: 'number' }, 'Last seen'],
      result.devices.map(d => el('tr', {},
        el('td', {}, link(`#/devices/${encodeURIComponent(fleetId)}/${encodeURIComponent(d.deviceId)}`, d.deviceId)),
        el('td', {}, healthBadge(d.health)),
        el('td', { class: 'number' }, number(d.score)),
        el('td', { class: 'number' }, number(d.threshold)),
        el('td', { class: 'number' }, number(d.severity)),
        el('td', {}, time(d.lastSeen))))),
    el('nav', { class: 'pager', 'aria-label': 'Pages' },
      el('button', { type: 'button', disabled: page === 0, onclick: () => go({ page: page - 1 || '' }) }, 'Previous page'),
      el('span', {}, `Page ${page + 1}`),
      el('button', { type: 'button', disabled: last >= result.total || page >= deepest, onclick: () => go({ page: page + 1 }) }, 'Next page')));
}
