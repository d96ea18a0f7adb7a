// Fleets: per fleet its device counts per health state, events accepted per second, how late they arrive, dead letters
// of the last hour, its worst and offline devices, and its open work orders; for admins of every fleet also the sources'
// partition lag and dead letters (the cluster's). Live.
import { api } from '../api.js';
import { count, el, healthBadge, healthStates, link, number, table, time } from '../view.js';

export async function render(main, context) {
  const summaries = await api('/fleets');
  const cards = el('div', { class: 'cards' });
  const ingestion = el('p', { id: 'ingestion' });
  main.replaceChildren(
    el('h1', {}, 'Fleets'),
    context.can('admin', '*') ? ingestion : '',
    summaries.length === 0
      ? el('p', { class: 'notice' }, 'No fleet has sent telemetry yet (or none is granted to this key).')
      : cards);

  if (context.can('admin', '*')) {
    const showIngestion = async () => {
      const sources = await api('/sources');
      const lag = (sources.partitions ?? []).reduce((sum, p) => sum + (p.lag ?? 0), 0);
      const deadLettered = sources.counters.reduce((sum, c) => sum + c.deadLettered, 0);
      ingestion.replaceChildren('Ingestion: ', sources.partitions ? `lag ${count(lag)} entries over ${sources.partitions.length} partitions` : 'no partitioned source enabled',
        ` · dead letters ${count(deadLettered)} · `, link('#/cluster', 'sources and dead letters'));
    };
    await showIngestion();
    const timer = setInterval(() => { if (!context.paused()) showIngestion().catch(() => {}); }, 5000);
    context.onCleanup(() => clearInterval(timer));
  }

  // Every fleet's card at once: the first view waits for the slowest fleet, not for the sum of them.
  await Promise.all(summaries.map(async summary => {
    const fleet = encodeURIComponent(summary.fleetId);
    const card = el('section', { class: 'card', 'aria-labelledby': `fleet-${summary.fleetId}`, 'data-fleet': summary.fleetId });
    cards.append(card);
    const [rollup, plan] = await Promise.all([api(`/fleets/${fleet}`), api(`/fleets/${fleet}/maintenance`).catch(() => null)]);
    fillCard(card, rollup, plan);
    let previous = rollup;
    context.live(`/fleets/${fleet}/live`, (type, next) => {
      if (type !== 'rollup') return;
      const critical = (next.counts.Critical ?? 0) - (previous.counts.Critical ?? 0);
      if (critical > 0) context.announce(`${critical} more critical device${critical > 1 ? 's' : ''} in fleet ${next.fleetId}.`);
      previous = next;
      fillCard(card, next, plan);
    });
  }));
}

function fillCard(card, rollup, plan) {
  const fleetHref = `#/fleets/${encodeURIComponent(rollup.fleetId)}`;
  card.replaceChildren(
    el('h2', { id: `fleet-${rollup.fleetId}` }, link(fleetHref, rollup.fleetId)),
    el('p', {}, el('span', { class: 'count', 'data-testid': 'device-count' }, rollup.deviceCount.toLocaleString('en')), ' devices',
      rollup.lastUpdated ? [' · updated ', time(rollup.lastUpdated)] : ''),
    el('p', {}, el('span', { class: 'count', 'data-testid': 'events-per-second' }, count(Math.round(rollup.eventsPerSecond))), ' events/s accepted',
      ' · arrival lag ', el('span', { 'data-testid': 'arrival-lag' }, rollup.arrivalLagSeconds === null ? '—' : `${number(rollup.arrivalLagSeconds, 2)} s`),
      ' · ', el('span', { 'data-testid': 'dead-letters' }, count(rollup.deadLetteredLastHour)), ' dead letters in the last hour'),
    el('ul', { class: 'counts', 'aria-label': 'Devices per health state' },
      healthStates.map(state => el('li', { 'data-state': state },
        el('a', { href: `${fleetHref}?state=${state}` }, healthBadge(state)),
        el('span', { class: 'count' }, String(rollup.counts[state] ?? 0))))),
    el('h3', {}, 'Worst devices'),
    rollup.worst.length === 0
      ? el('p', { class: 'muted' }, 'None scored yet.')
      : table(`Worst devices of ${rollup.fleetId}`, ['Device', 'Health', { text: 'Score / threshold', class: 'number' }],
        rollup.worst.slice(0, 5).map(d => el('tr', {},
          el('td', {}, link(`#/devices/${encodeURIComponent(rollup.fleetId)}/${encodeURIComponent(d.deviceId)}`, d.deviceId)),
          el('td', {}, healthBadge(d.health)),
          el('td', { class: 'number' }, number(d.severity))))),
    el('p', {}, `Offline: ${rollup.offlineCount}`,
      plan ? ` · open work orders: ${plan.open.length} (capacity ${plan.dailyCapacity} a day)` : ''));
}
