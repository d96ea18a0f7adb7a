// A fleet's maintenance plan: open work orders as a timeline by day against the fleet's daily capacity, each with
// its priority, predicted RUL and reason; operators complete orders here. It follows the fleet's rollup live.
import { api } from '../api.js';
import { el, fleetNav, healthBadge, link, number, table, time } from '../view.js';

export async function render(main, context) {
  const [fleetId] = context.args;
  const path = `/fleets/${encodeURIComponent(fleetId)}/maintenance`;
  const mayComplete = context.can('operator', fleetId);
  const timeline = el('section', { 'aria-labelledby': 'timeline-title' });
  const completed = el('section', { 'aria-labelledby': 'completed-title' });
  const result = el('p', { id: 'maintenance-result', role: 'status' });
  main.replaceChildren(
    el('p', {}, link('#/fleets', 'Fleets'), ' › ', link(`#/fleets/${encodeURIComponent(fleetId)}`, fleetId), ' › maintenance'),
    el('h1', {}, `Maintenance plan of ${fleetId}`),
    fleetNav(fleetId, 'maintenance'),
    result, timeline, completed);

  async function load() {
    const plan = await api(path);
    draw(plan);
  }

  function draw(plan) {
    const days = Map.groupBy(plan.open, order => order.scheduledFor);
    timeline.replaceChildren(
      el('h2', { id: 'timeline-title' }, `Open work orders: ${plan.open.length}`),
      el('p', { class: 'muted' }, `Capacity ${plan.dailyCapacity} orders a day; devices are planned when their predicted RUL falls within ${number(plan.planningHorizon)}.`),
      plan.open.length === 0 ? el('p', { class: 'notice' }, 'No open work order.') : '',
      ...[...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, orders]) => el('section', { class: 'day', 'data-day': day },
        el('h3', {}, dayLabel(day), ' ',
          el('meter', { min: 0, max: plan.dailyCapacity, value: orders.length, 'aria-label': `${orders.length} of ${plan.dailyCapacity} slots used` }),
          ` ${orders.length} of ${plan.dailyCapacity}`),
        table(`Work orders for ${day}`, [{ text: 'Priority', class: 'number' }, 'Device', 'Health', { text: 'Predicted RUL', class: 'number' }, 'Reason', 'Created', ''],
          orders.map(order => el('tr', { 'data-order': order.id },
            el('td', { class: 'number' }, String(order.priority)),
            el('td', {}, link(`#/devices/${encodeURIComponent(fleetId)}/${encodeURIComponent(order.deviceId)}`, order.deviceId)),
            el('td', {}, healthBadge(order.health)),
            el('td', { class: 'number' }, number(order.predictedRul)),
            el('td', {}, `RUL ${number(order.predictedRul)} by ${order.model}`),
            el('td', {}, time(order.createdAt)),
            el('td', {}, mayComplete ? el('button', { type: 'button', onclick: () => complete(order) }, `Complete ${order.id}`) : '')))))));
    completed.replaceChildren(
      el('h2', { id: 'completed-title' }, 'Recently completed'),
      plan.recentlyCompleted.length === 0 ? el('p', { class: 'muted' }, 'None.')
        : table('Recently completed work orders', ['Order', 'Device', 'Completed'], plan.recentlyCompleted.map(order => el('tr', {},
          el('td', {}, order.id), el('td', {}, order.deviceId), el('td', {}, time(order.completedAt))))));
  }

  async function complete(order) {
    if (!await context.confirm(`Mark work order ${order.id} for ${order.deviceId} as done? The device's degradation tracking starts again.`, 'Complete')) return;
    try {
      await api(`${path}/${encodeURIComponent(order.id)}/complete`, { method: 'POST' });
      result.textContent = `Work order ${order.id} completed.`;
      context.announce(result.textContent);
      await load();
    } catch (error) {
      result.textContent = `Refused: ${error.message}`;
    }
  }

  await load();
  context.live(`/fleets/${encodeURIComponent(fleetId)}/live`, () => load().catch(() => {}));
}

function dayLabel(day) {
  return new Date(`${day}T00:00:00`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}
