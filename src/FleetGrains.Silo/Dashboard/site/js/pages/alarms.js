// A fleet's alarms (its devices' anomaly episodes), newest first: counts by status and severity, filters in the
// address, and acknowledge / clear with a comment; who did it and when is shown. Live.
import { api } from '../api.js';
import { count, el, fleetNav, healthBadge, link, number, table, time } from '../view.js';

const pageSize = 50;
const statuses = ['Active', 'Acknowledged', 'Cleared'];
const severities = ['Critical', 'Warning'];

export async function render(main, context) {
  const [fleetId] = context.args;
  const fleet = encodeURIComponent(fleetId);
  const params = context.params;
  const status = params.get('status') ?? '';
  const severity = params.get('severity') ?? '';
  const page = Math.max(0, Number.parseInt(params.get('page') ?? '0', 10) || 0);
  const mayAct = context.can('operator', fleetId);

  const query = new URLSearchParams({ offset: String(page * pageSize), limit: String(pageSize) });
  if (status) query.set('status', status);
  if (severity) query.set('severity', severity);

  function go(changes) {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === '' || value === null) next.delete(name);
      else next.set(name, value);
    }
    const text = next.toString();
    location.hash = `#/fleets/${fleet}/alarms${text ? `?${text}` : ''}`;
  }

  const counts = el('section', { 'aria-labelledby': 'alarm-counts-title' });
  const list = el('section', { 'aria-labelledby': 'alarm-list-title' });
  const result = el('p', { id: 'alarm-result', role: 'status' });
  const webhooks = el('section', { 'aria-labelledby': 'webhooks-title' });
  main.replaceChildren(
    el('p', {}, link('#/fleets', 'Fleets'), ' › ', link(`#/fleets/${fleet}`, fleetId), ' › alarms'),
    el('h1', {}, `Alarms of ${fleetId}`),
    fleetNav(fleetId, 'alarms'),
    counts,
    el('div', { class: 'filters' },
      el('label', { for: 'alarm-status' }, 'Status',
        el('select', { id: 'alarm-status', onchange: e => go({ status: e.target.value, page: '' }) },
          el('option', { value: '' }, 'Every status'), statuses.map(s => el('option', { value: s, selected: s === status }, s)))),
      el('label', { for: 'alarm-severity' }, 'Severity',
        el('select', { id: 'alarm-severity', onchange: e => go({ severity: e.target.value, page: '' }) },
          el('option', { value: '' }, 'Every severity'), severities.map(s => el('option', { value: s, selected: s === severity }, s))))),
    result, list, mayAct ? webhooks : '');

  async function load() {
    const [alarms, hooks] = await Promise.all([api(`/fleets/${fleet}/anomalies?${query}`), mayAct ? api(`/fleets/${fleet}/webhooks`) : null]);
    draw(alarms);
    if (hooks) drawWebhooks(hooks);
  }

  function drawWebhooks(hooks) {
    webhooks.replaceChildren(
      el('h2', { id: 'webhooks-title' }, 'Webhooks'),
      hooks.length === 0 ? el('p', { class: 'muted' }, 'None: a fleet admin adds them with PUT /api/fleets/{fleet}/webhooks/{name}.')
        : table(`Webhooks of ${fleetId}`, ['Name', 'Address', 'Events', 'Lowest severity', { text: 'Delivered', class: 'number' }, { text: 'Waiting', class: 'number' }, { text: 'Given up', class: 'number' }, 'State'],
          hooks.map(h => el('tr', { 'data-webhook': h.subscription.name },
            el('td', {}, h.subscription.name),
            el('td', {}, h.subscription.url),
            el('td', {}, h.subscription.events.join(', ')),
            el('td', {}, h.subscription.minSeverity),
            el('td', { class: 'number' }, count(h.delivered)),
            el('td', { class: 'number' }, count(h.pending)),
            el('td', { class: 'number' }, count(h.failed)),
            el('td', { 'data-field': 'webhook-state' }, h.failing
              ? el('span', { class: 'error' }, `Failing: ${h.consecutiveFailures} in a row, last at `, time(h.lastFailureAt), ` — ${h.lastError}`)
              : h.lastDeliveredAt ? ['OK, last delivery ', time(h.lastDeliveredAt)] : 'OK, nothing sent yet')))));
  }

  function draw(alarms) {
    counts.replaceChildren(
      el('h2', { id: 'alarm-counts-title', class: 'visually-hidden' }, 'Counts'),
      el('ul', { class: 'counts', 'aria-label': 'Alarms by status' },
        statuses.map(s => el('li', { 'data-status': s }, s, el('span', { class: 'count' }, String(alarms.byStatus[s] ?? 0))))),
      el('ul', { class: 'counts', 'aria-label': 'Alarms by severity' },
        severities.map(s => el('li', { 'data-severity': s }, healthBadge(s), el('span', { class: 'count' }, String(alarms.bySeverity[s] ?? 0))))));
    const last = page * pageSize + alarms.episodes.length;
    list.replaceChildren(
      el('h2', { id: 'alarm-list-title' }, `${alarms.total} alarm${alarms.total === 1 ? '' : 's'}`, status || severity ? ' matching the filters' : ''),
      alarms.episodes.length === 0 ? el('p', { class: 'notice' }, 'No alarm.') :
        table(`Alarms of ${fleetId}`, ['Raised', 'Device', 'Severity', { text: 'Peak score', class: 'number' }, { text: 'Threshold', class: 'number' }, 'Model', 'Contributors', 'Signal', 'Status', ''],
          alarms.episodes.map(episode => row(episode))),
      el('nav', { class: 'pager', 'aria-label': 'Pages' },
        el('button', { type: 'button', disabled: page === 0, onclick: () => go({ page: page - 1 || '' }) }, 'Previous page'),
        el('span', {}, `Page ${page + 1}`),
        el('button', { type: 'button', disabled: last >= alarms.total, onclick: () => go({ page: page + 1 }) }, 'Next page')));
  }

  function row(episode) {
    const id = `${episode.deviceId}@${episode.startSeq}`;
    return el('tr', { 'data-alarm': id },
      el('td', {}, time(episode.raisedAt)),
      el('td', {}, link(`#/devices/${fleet}/${encodeURIComponent(episode.deviceId)}`, episode.deviceId)),
      el('td', {}, healthBadge(episode.severity)),
      el('td', { class: 'number' }, number(episode.peakScore)),
      el('td', { class: 'number' }, number(episode.threshold)),
      el('td', {}, episode.scorer),
      el('td', {}, episode.topContributors.slice(0, 3).map(c => `sensor ${c.feature} (${Math.round(c.share * 100)} %)`).join(', ') || '—'),
      el('td', {}, episode.endSeq === null ? 'still above' : ['ended ', time(episode.clearedAt)]),
      el('td', { 'data-field': 'status' }, statusText(episode)),
      el('td', {}, mayAct ? actions(episode, id) : ''));
  }

  function actions(episode, id) {
    const path = `/fleets/${fleet}/anomalies/${encodeURIComponent(episode.deviceId)}/${episode.startSeq}`;
    return el('span', { class: 'actions' },
      episode.status === 'Active'
        ? el('button', { type: 'button', onclick: () => act(`${path}/acknowledge`, `Acknowledge the alarm of ${episode.deviceId} raised at ${new Date(episode.raisedAt).toLocaleString('en-GB')}?`, 'Acknowledge', `Alarm ${id} acknowledged.`) }, `Acknowledge ${id}`)
        : '',
      episode.status !== 'Cleared'
        ? el('button', { type: 'button', onclick: () => act(`${path}/clear`, `Clear the alarm of ${episode.deviceId}? It leaves the active alarms.`, 'Clear', `Alarm ${id} cleared.`) }, `Clear ${id}`)
        : '');
  }

  async function act(path, question, okLabel, done) {
    const comment = await context.confirm(question, okLabel, { withComment: true });
    if (comment === null) return;
    try {
      await api(path, { method: 'POST', body: { comment: comment || null } });
      result.textContent = done;
      context.announce(done);
      await load();
    } catch (error) {
      result.textContent = `Refused: ${error.message}`;
    }
  }

  await load();
  context.live(`/fleets/${fleet}/anomalies/live`, () => load().catch(() => {}));
}

function statusText(episode) {
  const action = episode.cleared ?? episode.acknowledged;
  if (!action) return 'Active';
  return el('span', {}, `${episode.status} by ${action.by} at `, time(action.at), action.comment ? ` — “${action.comment}”` : '');
}
