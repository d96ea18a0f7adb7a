// Models and cluster: the models each fleet is scored with (fleet admins switch versions here); for cluster admins
// also the silos and their roles, the model hosts and their execution providers (with why one fell back), the
// sources with their rates and lag, and the newest dead letters. Refreshed every few seconds unless live updates
// are paused.
import { api } from '../api.js';
import { count, el, link, number, table, time } from '../view.js';

const refreshEvery = 5000;

export async function render(main, context) {
  const clusterAdmin = context.can('admin', '*');
  const models = el('section', { 'aria-labelledby': 'models-title' });
  const cluster = el('section', { 'aria-labelledby': 'cluster-title' });
  const sources = el('section', { 'aria-labelledby': 'sources-title' });
  const deadLetters = el('section', { 'aria-labelledby': 'dead-letters-title' });
  const result = el('p', { id: 'models-result', role: 'status' });
  main.replaceChildren(
    el('h1', {}, 'Models and cluster'),
    result, models,
    ...(clusterAdmin ? [cluster, sources, deadLetters]
      : [el('p', { class: 'muted' }, 'Silos, model hosts, sources and dead letters are shown to admins of every fleet.')]));

  let previous = null;

  async function loadModels() {
    const [fleets, catalog] = await Promise.all([api('/fleets'), api('/models')]);
    const assignments = await Promise.all(fleets.map(f => api(`/fleets/${encodeURIComponent(f.fleetId)}/models`)));
    models.replaceChildren(
      el('h2', { id: 'models-title' }, 'Models per fleet'),
      el('p', { class: 'muted' }, 'No anomaly model: the built-in statistical scorer. Switching keeps the devices\' windows; they learn new thresholds.'),
      assignments.length === 0 ? el('p', { class: 'notice' }, 'No fleet yet.')
        : table('Models per fleet', ['Fleet', 'Anomaly model', 'RUL model', 'Set by', 'Changed', 'Problem', ''],
          assignments.map(a => modelRow(a, catalog))));
  }

  function modelRow(assignment, catalog) {
    const fleetId = assignment.fleetId;
    const row = el('tr', { 'data-fleet': fleetId },
      el('td', {}, link(`#/fleets/${encodeURIComponent(fleetId)}`, fleetId)),
      el('td', { 'data-kind': 'anomaly' }, modelName(assignment.anomaly, 'statistical scorer')),
      el('td', { 'data-kind': 'rul' }, modelName(assignment.rul, 'none')),
      el('td', {}, assignment.source),
      el('td', {}, time(assignment.changedAt)),
      el('td', {}, assignment.problem ?? ''),
      el('td', {}, context.can('admin', fleetId) ? switchForm(assignment, catalog) : ''));
    return row;
  }

  function switchForm(assignment, catalog) {
    const id = `switch-${assignment.fleetId}`;
    const choose = (kind, current, none) => el('select', { id: `${id}-${kind}`, 'aria-label': `${kind === 'anomaly' ? 'Anomaly' : 'RUL'} model of ${assignment.fleetId}` },
      el('option', { value: '' }, none),
      catalog.map(key => el('option', { value: key, selected: current?.model && key === modelKey(current) }, key)));
    const anomaly = choose('anomaly', assignment.anomaly, 'statistical scorer');
    const rul = choose('rul', assignment.rul, 'no RUL model');
    return el('form', { class: 'inline-form', onsubmit: async event => {
      event.preventDefault();
      const body = { anomaly: anomaly.value || null, rul: rul.value || null };
      if (!await context.confirm(`Score fleet ${assignment.fleetId} with anomaly model ${body.anomaly ?? 'statistical scorer'} and RUL model ${body.rul ?? 'none'}?`, 'Switch')) return;
      try {
        await api(`/fleets/${encodeURIComponent(assignment.fleetId)}/models`, { method: 'PUT', body });
        result.textContent = `Fleet ${assignment.fleetId} switched.`;
        context.announce(result.textContent);
        await loadModels();
      } catch (error) {
        result.textContent = `Refused: ${error.message}`;
      }
    } }, anomaly, rul, el('button', { type: 'submit' }, `Switch ${assignment.fleetId}`));
  }

  async function loadCluster() {
    const [report, sourceReport, letters] = await Promise.all([api('/cluster'), api('/sources'), api('/deadletters?count=20')]);
    cluster.replaceChildren(
      el('h2', { id: 'cluster-title' }, `Silos: ${report.silos.length}`),
      table('Silos', ['Silo', 'Address', 'Host', 'Status', 'Started', 'Hosts models', 'Accelerator'],
        report.silos.map(s => el('tr', { 'data-silo': s.address },
          el('td', {}, s.name, s.address === report.answeredBy ? ' (answered)' : ''),
          el('td', {}, s.address), el('td', {}, s.host), el('td', {}, s.status), el('td', {}, time(s.startedAt)),
          el('td', {}, s.hostsModels ? 'yes' : 'no'), el('td', {}, s.accelerator ?? '—')))),
      el('h2', {}, `Model hosts: ${report.modelHosts.length}`),
      report.modelHosts.length === 0 ? el('p', { class: 'muted' }, 'No fleet uses a model.')
        : table('Model hosts', ['Model', 'Fleets', 'Silo', 'Provider', { text: 'Runs', class: 'number' }, { text: 'Rows', class: 'number' }, { text: 'Queued rows', class: 'number' }],
          report.modelHosts.map(h => el('tr', { 'data-model': h.model },
            el('td', {}, h.model), el('td', {}, h.fleets.join(', ')),
            h.status ? [
              el('td', {}, h.siloName ?? h.status.silo),
              el('td', { 'data-provider': h.status.activeProvider }, provider(h.status)),
              el('td', { class: 'number' }, count(h.status.runs)),
              el('td', { class: 'number' }, count(h.status.rows)),
              el('td', { class: 'number' }, count(h.status.queuedRows))]
              : el('td', { colspan: 5, class: 'error' }, `Not reachable: ${h.problem}`)))));

    const now = performance.now();
    const rates = new Map();
    if (previous) {
      for (const counts of sourceReport.counters) {
        const before = previous.counters.find(c => c.source === counts.source);
        if (before) rates.set(counts.source, (counts.accepted - before.accepted) / ((now - previous.at) / 1000));
      }
    }
    previous = { at: now, counters: sourceReport.counters };
    sources.replaceChildren(
      el('h2', { id: 'sources-title' }, 'Sources'),
      el('p', { class: 'muted' }, 'Events of the whole cluster by source since the counters began; events/s between the last two refreshes.'),
      sourceReport.counters.length === 0 ? el('p', { class: 'muted' }, 'No source has counted an event yet.')
        : table('Sources', ['Source', { text: 'Events/s', class: 'number' }, { text: 'Accepted', class: 'number' }, { text: 'Duplicates', class: 'number' }, { text: 'Dead-lettered', class: 'number' }, { text: 'Retried', class: 'number' }],
          sourceReport.counters.map(c => el('tr', { 'data-source': c.source },
            el('td', {}, c.source),
            el('td', { class: 'number' }, rates.has(c.source) ? number(rates.get(c.source)) : '—'),
            el('td', { class: 'number' }, count(c.accepted)), el('td', { class: 'number' }, count(c.duplicates)),
            el('td', { class: 'number' }, count(c.deadLettered)), el('td', { class: 'number' }, count(c.retried))))),
      ...(sourceReport.partitions ? [
        el('h3', {}, 'Redis Streams partitions'),
        table('Redis Streams partitions', [{ text: 'Partition', class: 'number' }, 'Owner', { text: 'Length', class: 'number' }, { text: 'Lag', class: 'number' }, { text: 'Pending', class: 'number' }],
          sourceReport.partitions.map(p => el('tr', {},
            el('td', { class: 'number' }, String(p.partition)), el('td', {}, p.owner ?? 'none'),
            el('td', { class: 'number' }, count(p.length)), el('td', { class: 'number' }, count(p.lag)), el('td', { class: 'number' }, count(p.pending)))))] : []));
    deadLetters.replaceChildren(
      el('h2', { id: 'dead-letters-title' }, 'Newest dead letters'),
      letters.length === 0 ? el('p', { class: 'muted' }, 'None.')
        : table('Newest dead letters', ['At', 'Source', 'Fleet', 'Position', 'Reason'],
          letters.map(d => el('tr', {}, el('td', {}, time(d.at)), el('td', {}, d.source), el('td', {}, d.fleetId ?? '—'), el('td', {}, d.position), el('td', {}, d.reason)))));
  }

  await Promise.all([loadModels(), clusterAdmin ? loadCluster() : null]);
  if (clusterAdmin) {
    const timer = setInterval(() => { if (!context.paused()) loadCluster().catch(() => {}); }, refreshEvery);
    context.onCleanup(() => clearInterval(timer));
  }
}

function modelKey(description) {
  return `${description.model.id}@${description.model.version}`;
}

function modelName(description, none) {
  return description ? el('span', { title: `${description.kind}, window ${description.window} × ${description.features}, sha256 ${description.sha256}` }, modelKey(description)) : el('span', { class: 'muted' }, none);
}

function provider(status) {
  return status.fallbackReason
    ? `${status.activeProvider} (asked for ${status.requestedProvider}; fell back: ${status.fallbackReason})`
    : status.activeProvider;
}
