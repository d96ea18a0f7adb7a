// The dashboard's shell: sign-in, the router (every page's state is in the address), live updates and their pause,
// the theme, announcements for screen readers, and confirmations.
import { api, follow, storeKey, storedKey, ApiError } from './api.js';
import { errorNotice } from './view.js';
import * as fleets from './pages/fleets.js';
import * as fleet from './pages/fleet.js';
import * as device from './pages/device.js';
import * as maintenance from './pages/maintenance.js';
import * as alarms from './pages/alarms.js';
import * as cluster from './pages/cluster.js';

const routes = [
  { pattern: /^\/fleets$/, page: fleets, nav: 'fleets' },
  { pattern: /^\/fleets\/([^/]+)$/, page: fleet, nav: 'fleets' },
  { pattern: /^\/fleets\/([^/]+)\/maintenance$/, page: maintenance, nav: 'fleets' },
  { pattern: /^\/fleets\/([^/]+)\/alarms$/, page: alarms, nav: 'fleets' },
  { pattern: /^\/devices\/([^/]+)\/([^/]+)$/, page: device, nav: 'fleets' },
  { pattern: /^\/cluster$/, page: cluster, nav: 'cluster' },
];

const main = document.getElementById('main');
const announcer = document.getElementById('announcer');
const liveState = document.getElementById('live-state');
const liveToggle = document.getElementById('live-toggle');
let caller = null;
let cleanups = [];
let paused = false;
const feeds = new Set();

// ---- theme: the system's preference until the operator picks one (kept in this browser)
const themeToggle = document.getElementById('theme-toggle');
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  themeToggle.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
}
applyTheme(localStorage.getItem('fleetgrains.theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
themeToggle.addEventListener('click', () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('fleetgrains.theme', next);
  applyTheme(next);
  window.dispatchEvent(new Event('fleetgrains:theme'));
});

// ---- live updates: every page's feeds pause and resume together; a paused feed keeps only its latest event
function showLiveState() {
  const states = [...feeds].map(f => f.state);
  const state = paused ? 'paused' : states.includes('reconnecting') ? 'reconnecting' : states.includes('live') ? 'live' : 'idle';
  liveState.dataset.state = state;
  liveState.textContent = `Live: ${state}`;
}

liveToggle.addEventListener('click', () => {
  paused = !paused;
  liveToggle.setAttribute('aria-pressed', String(paused));
  liveToggle.textContent = paused ? 'Resume live updates' : 'Pause live updates';
  if (!paused) for (const feed of feeds) feed.flush();
  announce(paused ? 'Live updates paused.' : 'Live updates resumed.');
  showLiveState();
});

function live(path, onEvent) {
  const feed = { state: 'connecting', pending: new Map(), flush() {
    const pending = [...this.pending];
    this.pending.clear();
    for (const [type, data] of pending) onEvent(type, data);
  } };
  const connection = follow(path, {
    onEvent: (type, data) => (paused ? feed.pending.set(type, data) : onEvent(type, data)),
    onState: state => { feed.state = state; showLiveState(); },
    onUnauthorized: () => signIn('Your key was refused; sign in again.'),
  });
  feeds.add(feed);
  cleanups.push(() => { connection.close(); feeds.delete(feed); showLiveState(); });
}

// ---- announcements and confirmations
export function announce(text) {
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 50);
}

const confirmDialog = document.getElementById('confirm');
const commentField = document.getElementById('confirm-comment-field');
const comment = document.getElementById('confirm-comment');

/** Asks before an action; resolves to false when cancelled. With withComment, resolves to the comment ('' for none) or null. */
function confirmAction(text, okLabel = 'Confirm', { withComment = false } = {}) {
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = okLabel;
  commentField.hidden = !withComment;
  comment.value = '';
  confirmDialog.returnValue = 'cancel';
  confirmDialog.showModal();
  return new Promise(resolve => confirmDialog.addEventListener('close', () => {
    const ok = confirmDialog.returnValue === 'ok';
    resolve(withComment ? (ok ? comment.value.trim() : null) : ok);
  }, { once: true }));
}

// ---- the caller and its grants (the server checks every action again; this only hides what it would refuse)
function implies(held, needed) {
  return held === needed || held === 'admin' || (held === 'operator' && needed === 'viewer');
}

function can(role, fleetId) {
  return (caller?.grants ?? []).some(grant => {
    const [held, fleet] = grant.split(':');
    return (fleet === '*' || fleet === fleetId) && implies(held, role);
  });
}

// ---- sign-in
const loginDialog = document.getElementById('login');
const loginForm = document.getElementById('login-form');
const loginError = document.getElementById('login-error');
const signOut = document.getElementById('sign-out');

function signIn(message = '') {
  storeKey(null);
  caller = null;
  document.getElementById('caller').textContent = '';
  signOut.hidden = true;
  loginError.textContent = message;
  main.replaceChildren();
  if (!loginDialog.open) loginDialog.showModal();
  document.getElementById('login-key').focus();
}

loginForm.addEventListener('submit', async event => {
  event.preventDefault();
  const key = document.getElementById('login-key').value.trim();
  storeKey(key);
  try {
    await loadCaller();
    loginDialog.close();
    loginForm.reset();
    await render();
  } catch (error) {
    storeKey(null);
    loginError.textContent = error instanceof ApiError && error.status === 401 ? `That key was refused: ${error.message}` : error.message;
  }
});
loginDialog.addEventListener('cancel', event => event.preventDefault()); // nothing to show without a key

signOut.addEventListener('click', () => signIn('Signed out.'));

async function loadCaller() {
  caller = await api('/me');
  document.getElementById('caller').textContent = `Signed in as ${caller.name}`;
  signOut.hidden = false;
}

// ---- routing
function currentRoute() {
  const hash = decodeURI(location.hash.replace(/^#/, '')) || '/fleets';
  const [path, query = ''] = hash.split('?');
  for (const route of routes) {
    const match = path.match(route.pattern);
    if (match) return { route, args: match.slice(1), params: new URLSearchParams(query) };
  }
  return null;
}

/** Replaces the address (no new history entry) with the page's new state, without rendering again. */
function setParams(params) {
  const [path] = (location.hash.replace(/^#/, '') || '/fleets').split('?');
  const query = params.toString();
  history.replaceState(null, '', `#${path}${query ? `?${query}` : ''}`);
}

async function render() {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  const found = currentRoute();
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (found && link.dataset.nav === found.route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!found) {
    main.replaceChildren(errorNotice(new Error(`There is no page at ${location.hash}.`)));
    return;
  }
  const context = {
    args: found.args, params: found.params, setParams, live, announce, confirm: confirmAction, can, paused: () => paused,
    onCleanup: fn => cleanups.push(fn),
  };
  try {
    await found.route.page.render(main, context);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signIn('Sign in to see this page.');
    else main.replaceChildren(errorNotice(error));
  }
}

window.addEventListener('hashchange', () => { render(); main.focus(); });

(async () => {
  if (!storedKey()) {
    signIn();
    return;
  }
  try {
    await loadCaller();
    await render();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signIn('Your key was refused; sign in again.');
    else main.replaceChildren(errorNotice(error));
  }
})();
