// A device: its health and counters, its score against its learned (or pinned) threshold, its health over its recent
// scorings, its readings over the window, RUL, the contributors of its latest alarm; pin / unpin the threshold and give
// false-positive feedback.
import { api } from '../api.js';
import { timeChart } from '../chart.js';
import { el, healthBadge, link, number, table, time } from '../view.js';

const shownSensorsDefault = 4;

export async function render(main, context) {
  const [fleetId, deviceId] = context.args;
  const base = `/devices/${encodeURIComponent(fleetId)}/${encodeURIComponent(deviceId)}`;
  const [snapshot, scores, window] = await Promise.all([api(base), api(`${base}/scores`), api(`${base}/telemetry`)]);
  const mayAct = context.can('operator', fleetId);

  const facts = el('dl', { class: 'facts', id: 'device-facts' });
  const thresholdCaption = el('p', { class: 'chart-legend', id: 'threshold-caption' });
  const scoreChart = el('div', { class: 'chart', id: 'score-chart', role: 'img', 'aria-labelledby': 'score-title threshold-caption' });
  const healthSection = el('section', { 'aria-labelledby': 'health-title' });
  const rulSection = el('section', { 'aria-labelledby': 'rul-title' });
  const sensorPicker = el('fieldset', { class: 'actions' }, el('legend', {}, 'Sensors shown'));
  const readingsChart = el('div', { class: 'chart', id: 'readings-chart', role: 'img', 'aria-label': 'Readings over the window' });
  const contributors = el('section', { 'aria-labelledby': 'contributors-title' });
  const actions = el('section', { 'aria-labelledby': 'actions-title' });
  const audit = el('section', { 'aria-labelledby': 'audit-title' });
  const actionResult = el('p', { id: 'action-result', role: 'status' });

  main.replaceChildren(
    el('p', {}, link('#/fleets', 'Fleets'), ' › ', link(`#/fleets/${encodeURIComponent(fleetId)}`, fleetId), ' › ', deviceId),
    el('h1', {}, `Device ${deviceId} `, el('span', { id: 'device-health' })),
    facts,
    el('h2', { id: 'score-title' }, 'Anomaly score and threshold'),
    scoreChart, thresholdCaption,
    healthSection,
    rulSection,
    el('h2', {}, 'Readings over the window'),
    sensorPicker, readingsChart,
    contributors, actions, audit);

  const state = { snapshot, scores: scores.points, window, shown: new Set() };
  for (let i = 0; i < Math.min(shownSensorsDefault, window.featureCount); i++) state.shown.add(i);

  const scoreSeries = () => [
    { label: 'score', values: state.scores.map(p => p.score), colour: '--chart-1' },
    { label: `threshold (${thresholdKind(state.snapshot)})`, values: state.scores.map(p => p.threshold), colour: '--chart-2', dashed: true },
  ];
  const scoreTimes = () => state.scores.map(p => Date.parse(p.timestamp) / 1000);
  const scorePlot = timeChart(scoreChart, { times: scoreTimes(), series: scoreSeries(), yLabel: 'score' });
  context.onCleanup(() => scorePlot.destroy());

  const readingSeries = () => [...state.shown].sort((a, b) => a - b).map((feature, i) => ({
    label: `sensor ${feature}`, values: state.window.samples.map(s => s.values[feature]), colour: ['--chart-1', '--chart-2', '--chart-3', '--fg'][i % 4],
  }));
  const readingTimes = () => state.window.samples.map(s => s.timestamp / 1000);
  let readingsPlot = timeChart(readingsChart, { times: readingTimes(), series: readingSeries(), yLabel: 'value' });
  context.onCleanup(() => readingsPlot.destroy());

  for (let feature = 0; feature < window.featureCount; feature++) {
    const box = el('input', { type: 'checkbox', id: `sensor-${feature}`, checked: state.shown.has(feature), onchange: e => {
      if (e.target.checked) state.shown.add(feature); else state.shown.delete(feature);
      readingsPlot.destroy(); // the set of series changed: a new chart
      readingsPlot = timeChart(readingsChart, { times: readingTimes(), series: readingSeries(), yLabel: 'value' });
    } });
    sensorPicker.append(el('label', { for: `sensor-${feature}` }, box, ` ${feature}`));
  }

  function draw() {
    const s = state.snapshot;
    document.getElementById('device-health').replaceChildren(healthBadge(s.health));
    facts.replaceChildren(...[
      ['score', 'Score', number(s.score)],
      ['threshold', 'Threshold in force', `${number(s.threshold.effective)} (${thresholdKind(s)})`],
      ['learned', 'Learned threshold', s.threshold.learned === null ? `calibrating: ${s.threshold.calibrationScores} of ${s.threshold.calibrationTarget} scores` : number(s.threshold.learned)],
      ['pinned', 'Pinned threshold', s.threshold.pinned === null ? 'none' : number(s.threshold.pinned)],
      ['false-positives', 'False-positive feedback', String(s.threshold.falsePositives)],
      ['scorer', 'Scored by', s.scoring.scorer],
      ['last-seen', 'Last seen', time(s.lastSeen)],
      ['last-seq', 'Last sequence number', String(s.lastSeq)],
      ['samples', 'Samples accepted / scored', `${s.counters.accepted} / ${s.counters.scored}`],
      ['duplicates', 'Duplicates / rejected / late', `${s.counters.duplicates} / ${s.counters.rejected} / ${s.counters.late}`],
      ['failures', 'Scoring failures', s.scoring.failures ? `${s.scoring.failures} (last: ${s.scoring.lastError})` : '0'],
    ].flatMap(([key, term, value]) => [el('dt', {}, term), el('dd', { 'data-fact': key }, value)]));

    const threshold = s.threshold.effective;
    scoreChart.dataset.threshold = threshold ?? '';
    thresholdCaption.textContent = threshold === null
      ? 'No threshold yet: the device is calibrating.'
      : `Dashed line: the ${thresholdKind(s)} threshold, ${number(threshold, 4)}; solid line: the score.`;

    drawHealth();
    drawRul();
    drawContributors();
  }

  // The runs of equal health over the kept scorings, each as wide as its share of them, with shape, word and times.
  function drawHealth() {
    const points = state.scores.filter(p => p.health !== null);
    const runs = [];
    for (const p of points) {
      const run = runs.at(-1);
      if (run && run.state === p.health) { run.to = p.timestamp; run.count++; } else runs.push({ state: p.health, from: p.timestamp, to: p.timestamp, count: 1 });
    }
    healthSection.replaceChildren(
      el('h2', { id: 'health-title' }, 'Health over its recent scorings'),
      ...(runs.length === 0 ? [el('p', { class: 'muted' }, 'Not scored yet.')] : [
        el('ol', { class: 'health-runs', id: 'health-runs' }, runs.map(run => {
          const when = `${new Date(run.from).toLocaleTimeString('en-GB')}–${new Date(run.to).toLocaleTimeString('en-GB')}`;
          const item = el('li', { class: 'health-run', 'data-state': run.state, title: `${run.state} ${when}, ${run.count} scorings` },
            healthBadge(run.state), el('span', { class: 'visually-hidden' }, ` ${when}, ${run.count} scorings`));
          item.style.flexGrow = String(run.count); // CSSOM, which the page's style policy allows
          return item;
        })),
        el('p', { class: 'muted' }, `${points.length} scorings, `, time(points[0].timestamp), ' to ', time(points.at(-1).timestamp))]));
  }

  function drawRul() {
    const s = state.snapshot;
    const points = state.scores.filter(p => p.rul !== null);
    if (!s.scoring.rulModel) {
      rulSection.replaceChildren();
      return;
    }
    const first = points[0]?.rul;
    const last = points.at(-1)?.rul;
    const trend = points.length > 1 ? (last - first) / (points.length - 1) : null;
    rulSection.replaceChildren(
      el('h2', { id: 'rul-title' }, 'Remaining useful life'),
      el('p', { id: 'rul-now' }, s.scoring.rul === null ? 'Not estimated yet.' : `${number(s.scoring.rul)} (model ${s.scoring.rulModel}, at `, s.scoring.rulAt ? time(s.scoring.rulAt) : '', s.scoring.rul === null ? '' : ')'),
      trend === null ? '' : el('p', {}, `Trend over the last ${points.length} estimates: ${trend < 0 ? 'falling' : 'rising or flat'}, ${number(trend)} per scoring.`));
  }

  function drawContributors() {
    const episode = state.snapshot.openEpisode;
    const list = state.snapshot.topContributors;
    contributors.replaceChildren(
      el('h2', { id: 'contributors-title' }, 'Top contributing sensors of the latest anomaly'),
      episode ? el('p', {}, 'Open alarm episode since ', time(episode.raisedAt), `, peak score ${number(episode.peakScore)}, severity `, healthBadge(episode.severity)) : '',
      list.length === 0 ? el('p', { class: 'muted' }, 'None: no anomaly scored yet.')
        : table('Top contributing sensors', [{ text: 'Sensor', class: 'number' }, { text: 'Deviation (σ)', class: 'number' }, { text: 'Share', class: 'number' }, 'Stuck'],
          list.map(c => el('tr', {},
            el('td', { class: 'number' }, String(c.feature)),
            el('td', { class: 'number' }, number(c.deviation)),
            el('td', { class: 'number' }, `${Math.round(c.share * 100)} %`),
            el('td', {}, c.stuck ? 'yes' : 'no')))));
  }

  function drawActions() {
    if (!mayAct) {
      actions.replaceChildren();
      return;
    }
    const value = el('input', { id: 'pin-value', type: 'number', step: 'any', min: '0', required: true, value: state.snapshot.threshold.effective ?? '' });
    const result = actionResult;
    actions.replaceChildren(
      el('h2', { id: 'actions-title' }, 'Actions'),
      el('form', { class: 'actions', onsubmit: async e => {
        e.preventDefault();
        const pinned = Number(value.value);
        if (!Number.isFinite(pinned) || pinned <= 0) { result.textContent = 'Give a positive number.'; return; }
        await act(`Pin the threshold of ${deviceId} at ${pinned}? Its learned threshold stops applying until you unpin it.`, 'Pin',
          () => api(`${base}/threshold`, { method: 'PUT', body: { value: pinned } }), `Threshold pinned at ${pinned}.`, result);
      } },
      el('label', { for: 'pin-value' }, 'Pin the threshold at '), value,
      el('button', { type: 'submit', id: 'pin' }, 'Pin threshold'),
      el('button', { type: 'button', id: 'unpin', disabled: state.snapshot.threshold.pinned === null, onclick: () =>
        act(`Unpin the threshold of ${deviceId}? Its learned threshold applies again.`, 'Unpin',
          () => api(`${base}/threshold`, { method: 'PUT', body: { value: null } }), 'Threshold unpinned: the learned one applies.', result) }, 'Unpin'),
      el('button', { type: 'button', id: 'false-positive', onclick: () =>
        act(`Report ${deviceId}'s latest alarm as a false positive? Its learned threshold rises (within a bound).`, 'Report',
          () => api(`${base}/feedback`, { method: 'POST', body: { kind: 'false-positive' } }), 'False positive recorded: the learned threshold was raised.', result) }, 'Report false positive')),
      result);
  }

  async function act(question, okLabel, call, done, result) {
    if (!await context.confirm(question, okLabel)) return;
    try {
      state.snapshot = await call();
      result.textContent = done;
      context.announce(done);
      draw();
      drawActions();
      await drawAudit();
    } catch (error) {
      result.textContent = `Refused: ${error.message}`;
    }
  }

  async function drawAudit() {
    if (!mayAct) {
      audit.replaceChildren();
      return;
    }
    const entries = await api(`/fleets/${encodeURIComponent(fleetId)}/audit?deviceId=${encodeURIComponent(deviceId)}&count=10`);
    audit.replaceChildren(
      el('h2', { id: 'audit-title' }, 'Audit record of this device'),
      entries.length === 0 ? el('p', { class: 'muted' }, 'No action recorded yet.')
        : table('Audit record', ['When', 'Who', 'Action', 'Before', 'After'], entries.map(entry => el('tr', {},
          el('td', {}, time(entry.at)),
          el('td', {}, entry.actorName),
          el('td', {}, entry.action),
          el('td', {}, JSON.stringify(entry.before?.effective ?? entry.before ?? null)),
          el('td', {}, JSON.stringify(entry.after?.effective ?? entry.after ?? null))))));
  }

  draw();
  drawActions();
  await drawAudit();

  let lastSeq = snapshot.lastSeq;
  context.live(`${base}/live`, async (type, next) => {
    if (type !== 'device') return;
    if (next.health !== state.snapshot.health) context.announce(`${deviceId} is now ${next.health}.`);
    state.snapshot = next;
    draw();
    if (next.lastSeq !== lastSeq) {
      lastSeq = next.lastSeq;
      const [more, nextWindow] = await Promise.all([api(`${base}/scores`), api(`${base}/telemetry`)]);
      state.scores = more.points;
      state.window = nextWindow;
      scorePlot.update(scoreTimes(), scoreSeries());
      readingsPlot.update(readingTimes(), readingSeries());
      drawHealth();
      drawRul();
    }
  });
}

function thresholdKind(snapshot) {
  return snapshot.threshold.pinned !== null ? 'pinned' : snapshot.threshold.learned !== null ? 'learned' : 'none yet';
}
