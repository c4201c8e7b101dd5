// The dashboard page: fleet table, runs, a task's step log (live over SSE), controls and metrics charts.

const $ = (id) => document.getElementById(id);
const state = { csrf: null, role: null, rows: [], sort: { key: 'repo', dir: 1 }, taskId: null, charts: {} };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

async function api(path, options = {}) {
  const headers = { ...(options.body ? { 'content-type': 'application/json' } : {}) };
  if (options.method && options.method !== 'GET') headers['x-csrf-token'] = state.csrf ?? '';
  const res = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = '/login';
    throw new Error('logged out');
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.message ?? res.statusText), { body, status: res.status });
  return body;
}

function flash(message, kind = 'info') {
  const f = $('flash');
  f.hidden = false;
  f.className = `flash ${kind}`;
  f.textContent = message;
}

const fail = (err) => flash(`${err.message}${err.body?.hint ? ` — ${err.body.hint}` : ''}`, 'error');
const statusBadge = (status) => el('span', { class: `badge status-${status ?? 'none'}` }, status ?? '—');
const duration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

// ---------- fleet ----------
function org() {
  return $('org').value.trim();
}

async function loadFleet() {
  const data = await api(`/api/fleet${org() ? `?org=${encodeURIComponent(org())}` : ''}`);
  if (!org()) $('org').value = data.org;
  state.rows = data.rows;
  renderFleet();
}

function sortValue(row, key) {
  if (key === 'lastRun') return row.lastRun?.status ?? '';
  const v = row[key];
  return v === null || v === undefined ? '' : v;
}

function renderFleet() {
  const q = $('search').value.trim().toLowerCase();
  const filter = $('status-filter').value;
  const rows = state.rows
    .filter((r) => !q || r.repo.toLowerCase().includes(q) || (r.latestTag ?? '').includes(q))
    .filter((r) => {
      if (filter === 'releasable') return r.nextVersion !== null;
      if (filter) return r.lastRun?.status === filter;
      return true;
    })
    .sort((a, b) => {
      const x = sortValue(a, state.sort.key);
      const y = sortValue(b, state.sort.key);
      return (x < y ? -1 : x > y ? 1 : 0) * state.sort.dir;
    });
  const body = $('fleet-table').querySelector('tbody');
  body.replaceChildren(
    ...rows.map((r) =>
      el(
        'tr',
        { 'data-repo': r.repo, 'data-status': r.lastRun?.status ?? 'none', class: `run-${r.lastRun?.status ?? 'none'}` },
        el('td', { 'data-label': 'Repository' }, el('strong', {}, r.repo)),
        el('td', { 'data-label': 'Latest tag' }, r.latestTag ?? (r.plannedAt ? 'never released' : '—')),
        el('td', { 'data-label': 'Commits since' }, r.commitsSince ?? '—'),
        el(
          'td',
          { 'data-label': 'Next', class: 'next' },
          r.nextVersion
            ? el(
                'details',
                {},
                el('summary', {}, `${r.nextTag ?? r.nextVersion} `, el('span', { class: `bump bump-${r.bump}` }, r.bump ?? '')),
                el(
                  'ul',
                  { class: 'causes' },
                  r.causes.map((c) => el('li', {}, el('code', {}, c.hash), ` ${c.header} `, el('span', { class: 'muted' }, c.why))),
                ),
              )
            : (r.skipped ?? (r.plannedAt ? 'nothing to release' : 'run a preview')),
        ),
        el(
          'td',
          { 'data-label': 'Last run' },
          r.lastRun ? el('a', { href: `#task/${r.lastRun.taskId}` }, statusBadge(r.lastRun.status)) : '—',
          r.lastRun?.waitReason ? el('span', { class: 'muted wait-reason' }, ` ${r.lastRun.waitReason}`) : null,
          r.lastRun?.url ? el('a', { href: r.lastRun.url, class: 'ext', target: '_blank', rel: 'noopener' }, ' release ↗') : null,
        ),
        el('td', { 'data-label': 'Image' }, r.image ? el('code', {}, r.image) : '—'),
        el('td', { 'data-label': 'Frozen' }, r.frozen ? el('span', { class: 'badge frozen' }, 'frozen') : 'no'),
        el(
          'td',
          {},
          state.role === 'admin'
            ? el('button', { class: 'small', onclick: () => releaseOne(r.repo) }, 'Release')
            : null,
        ),
      ),
    ),
  );
  for (const th of $('fleet-table').querySelectorAll('th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === state.sort.key);
    th.dataset.dir = th.dataset.sort === state.sort.key ? (state.sort.dir > 0 ? '▲' : '▼') : '';
  }
}

// A preview is a dashboard run of dry-run tasks; the panel follows it live and lists the plan once all are done.
async function preview(offerRelease) {
  $('preview-panel').hidden = false;
  $('preview-summary').textContent = 'Starting a dry run of every repository (nothing is written)…';
  $('preview-list').replaceChildren();
  $('confirm-release').hidden = true;
  try {
    const data = await api('/api/fleet/preview', { method: 'POST', body: JSON.stringify({ org: org() }) });
    state.preview = { runId: data.runId, offerRelease, done: false };
    await followPreview();
  } catch (err) {
    $('preview-summary').textContent = 'Preview failed.';
    fail(err);
  }
}

async function followPreview() {
  const current = state.preview;
  if (!current || current.done) return;
  const run = await api(`/api/runs/${encodeURIComponent(current.runId)}`);
  if (run.status === 'running') {
    $('preview-summary').textContent = `Dry run: ${run.finished} of ${run.tasks.length} repositories planned (nothing is written)…`;
    clearTimeout(current.timer);
    current.timer = setTimeout(() => followPreview().catch(fail), 2000);
    return;
  }
  current.done = true;
  clearTimeout(current.timer);
  await loadFleet();
  showPreview(current.offerRelease);
}

function showPreview(offerRelease) {
  $('preview-panel').hidden = false;
  const releasing = state.rows.filter((r) => r.nextVersion);
  $('preview-summary').textContent = `${releasing.length} of ${state.rows.length} repositories would be released.`;
  $('preview-list').replaceChildren(
    ...state.rows.map((r) =>
      el(
        'li',
        { 'data-repo': r.repo },
        el('strong', {}, r.repo),
        r.nextVersion
          ? ` ${r.latestTag ?? '(first release)'} → ${r.nextTag} (${r.bump})`
          : ` — ${r.skipped ?? 'nothing to release'}`,
      ),
    ),
  );
  $('confirm-release').hidden = !offerRelease || releasing.length === 0;
}

/** "Release fleet…" shows the plan first: the last preview when it is finished, else a new one. */
function releaseClicked() {
  if (state.preview?.done) showPreview(true);
  else if (state.preview) state.preview.offerRelease = true;
  else preview(true);
}

async function releaseFleet() {
  try {
    const repos = state.rows.filter((r) => r.nextVersion).map((r) => r.repo);
    const data = await api('/api/fleet/release', { method: 'POST', body: JSON.stringify({ org: org(), repos }) });
    $('preview-panel').hidden = true;
    state.preview = null;
    flash(`Fleet release started: ${data.taskIds.length} task(s). Rows turn green as they finish.`);
    await loadFleet();
  } catch (err) {
    fail(err);
  }
}

async function releaseOne(repo) {
  try {
    await api(`/api/repos/${encodeURIComponent(org())}/${encodeURIComponent(repo)}/release`, { method: 'POST' });
    flash(`Release of ${repo} started.`);
    await loadFleet();
  } catch (err) {
    fail(err);
  }
}

// ---------- runs and tasks ----------
async function loadRuns() {
  const { runs } = await api('/api/runs');
  $('runs-list').replaceChildren(
    ...(runs.length === 0 ? [el('p', { class: 'muted' }, 'No runs yet.')] : []),
    ...runs.map((run) =>
      el(
        'details',
        { class: 'card run', open: run.kind !== 'single' && run === runs[0] },
        el('summary', {}, statusBadge(run.status), ` ${run.kind} `, el('span', { class: 'muted' }, `${run.org ?? ''} · ${new Date(run.startedAt).toLocaleString()} · ${run.tasks.length} task(s)`)),
        el(
          'ul',
          { class: 'tasks' },
          run.tasks.map((t) =>
            el(
              'li',
              {},
              el('a', { href: `#task/${t.id}` }, t.key),
              ' ',
              statusBadge(t.status),
              t.nextTag ? ` ${t.nextTag}` : '',
              t.dryRun ? el('span', { class: 'muted' }, ' (dry run)') : '',
              t.error ? el('span', { class: 'error' }, ` ${t.error.message}`) : '',
            ),
          ),
        ),
      ),
    ),
  );
}

const pretty = (value) => el('details', {}, el('summary', {}, 'json'), el('pre', {}, JSON.stringify(value ?? null, null, 2)));

async function loadTask(id) {
  state.taskId = id;
  const { task, log } = await api(`/api/tasks/${encodeURIComponent(id)}`);
  const canRetry = ['failed', 'cancelled'].includes(task.status);
  const canCancel = ['queued', 'waiting', 'running'].includes(task.status);
  // Through el(): it drops the nulls of the optional parts, which replaceChildren would print as text.
  $('task-head').replaceChildren(
    ...el('div', {},
    el('h2', {}, `${task.key} `, statusBadge(task.status)),
    el('p', { class: 'muted' }, `${task.kind} · task ${task.id} · step ${task.step ?? '—'} · ${task.stepsRun} step(s) run${task.data.dryRun ? ' · dry run' : ''}`),
    task.error
      ? el('div', { class: 'error-box' }, el('strong', {}, task.error.code), ` ${task.error.message}`, task.error.hint ? el('p', { class: 'hint' }, `Hint: ${task.error.hint}`) : null)
      : null,
    task.waitReason ? el('p', {}, `Waiting: ${task.waitReason}`) : null,
    state.role === 'admin' && canRetry ? el('button', { id: 'retry', class: 'primary', onclick: () => act(task.id, 'retry') }, `Retry from ${task.step ?? 'start'}`) : null,
    state.role === 'admin' && canCancel ? el('button', { id: 'cancel', onclick: () => act(task.id, 'cancel') }, 'Cancel') : null,
    ).childNodes,
  );
  $('step-log').querySelector('tbody').replaceChildren(...log.map(stepRow));
  await loadVerify(task);
}

// The release's verify checklist (the flow's last step or `cutter verify`), when one was ever run.
async function loadVerify(task) {
  const box = $('verify');
  const tag = task.kind === 'release' ? task.data.release?.tagged?.tag : null;
  const repo = task.data.repo;
  const result = tag && repo
    ? (await api(`/api/releases/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/verify?tag=${encodeURIComponent(tag)}`)).result
    : null;
  box.hidden = !result;
  if (!result) return box.replaceChildren();
  box.replaceChildren(
    el('h3', {}, `Verify ${tag} `, el('span', { class: `badge ${result.ok ? 'verified' : 'unverified'}` }, result.ok ? 'verified' : 'NOT verified')),
    el('p', { class: 'muted' }, `${new Date(result.at).toLocaleString()} · ${result.actor}`),
    el('ul', { class: 'checklist' }, result.checks.map((c) =>
      el('li', { class: c.ok ? 'ok' : 'bad', 'data-check': c.check }, el('span', { class: 'mark' }, c.ok ? '✔' : '✖'), el('strong', {}, c.check), ` ${c.detail}`),
    )),
  );
}

function stepRow(e) {
  return el(
    'tr',
    { class: `outcome-${e.outcome}`, 'data-step': e.step },
    el('td', { 'data-label': 'Step' }, el('strong', {}, e.step)),
    el('td', { 'data-label': 'Outcome' }, e.outcome),
    el('td', { 'data-label': 'Duration' }, duration(e.durationMs)),
    el('td', { 'data-label': 'Attempt' }, e.attempt),
    el('td', { 'data-label': 'Saw' }, pretty(e.input)),
    el('td', { 'data-label': 'Added' }, pretty(e.patch)),
    el(
      'td',
      { 'data-label': 'Messages' },
      el('ul', {}, (e.messages ?? []).map((m) => el('li', {}, m.message))),
      e.error ? el('div', { class: 'error-box' }, `${e.error.code}: ${e.error.message}`, e.error.hint ? el('p', { class: 'hint' }, `Hint: ${e.error.hint}`) : null) : null,
    ),
  );
}

async function act(id, action) {
  try {
    await api(`/api/tasks/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
    flash(`Task ${action === 'retry' ? 'retried' : 'cancelled'}.`);
    await loadTask(id);
  } catch (err) {
    fail(err);
  }
}

// ---------- freeze ----------
async function loadFreeze() {
  const f = await api('/api/freeze');
  $('freeze-toggle').checked = f.frozen;
  $('freeze-reason').value = f.reason ?? '';
  $('freeze-state').textContent = f.frozen ? `frozen: ${f.reason}` : 'releases open';
  $('freeze-state').className = `badge ${f.frozen ? 'frozen' : 'open'}`;
}

async function toggleFreeze() {
  const frozen = $('freeze-toggle').checked;
  try {
    await api('/api/freeze', { method: 'POST', body: JSON.stringify({ frozen, reason: $('freeze-reason').value }) });
    await loadFreeze();
    await loadFleet();
  } catch (err) {
    $('freeze-toggle').checked = !frozen;
    fail(err);
  }
}

// ---------- metrics ----------
const fmtHours = (s) =>
  s === null ? '—' : s < 60 ? `${Math.round(s)} s` : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

function chart(id, config) {
  state.charts[id]?.destroy();
  state.charts[id] = new window.Chart($(id), { ...config, options: { responsive: true, animation: false, maintainAspectRatio: true, ...config.options } });
}

async function loadMetrics() {
  const m = await api('/api/metrics?weeks=12');
  const f = m.fleet;
  $('metric-cards').replaceChildren(
    el('div', { class: 'card metric' }, el('span', {}, 'Releases'), el('strong', { id: 'metric-releases' }, f.releases)),
    el('div', { class: 'card metric' }, el('span', {}, `Lead time (${m.leadTimeBasis})`), el('strong', {}, fmtHours(f.leadTimeSeconds))),
    el('div', { class: 'card metric' }, el('span', {}, 'Change failure rate'), el('strong', {}, f.changeFailureRate === null ? '—' : `${Math.round(f.changeFailureRate * 100)}%`)),
    el('div', { class: 'card metric' }, el('span', {}, 'Time to restore'), el('strong', {}, fmtHours(f.timeToRestoreSeconds))),
  );
  const repos = Object.keys(m.repos);
  const short = repos.map((r) => r.split('/')[1] ?? r);
  chart('chart-weekly', {
    type: 'bar',
    data: { labels: f.perWeek.map((w) => w.week), datasets: [{ label: 'releases', data: f.perWeek.map((w) => w.releases), backgroundColor: '#2f7d4f' }] },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  chart('chart-lead', {
    type: 'bar',
    data: { labels: short, datasets: [{ label: 'hours', data: repos.map((r) => (m.repos[r].leadTimeSeconds ?? 0) / 3600), backgroundColor: '#3b6fb6' }] },
    options: { indexAxis: 'y' },
  });
  chart('chart-cfr', {
    type: 'bar',
    data: { labels: short, datasets: [{ label: 'failure rate %', data: repos.map((r) => Math.round((m.repos[r].changeFailureRate ?? 0) * 100)), backgroundColor: '#b6493b' }] },
    options: { indexAxis: 'y', scales: { x: { beginAtZero: true, max: 100 } } },
  });
  chart('chart-restore', {
    type: 'bar',
    data: { labels: short, datasets: [{ label: 'minutes', data: repos.map((r) => (m.repos[r].timeToRestoreSeconds ?? 0) / 60), backgroundColor: '#a07a1f' }] },
    options: { indexAxis: 'y' },
  });
}

// ---------- routing and live updates ----------
async function route() {
  const hash = location.hash.slice(1) || 'fleet';
  const [view, id] = hash.split('/');
  const name = view === 'task' ? 'task' : ['fleet', 'runs', 'metrics'].includes(view) ? view : 'fleet';
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== `view-${name}`;
  $('flash').hidden = true; // a message belongs to the view it was shown on
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  state.taskId = null;
  try {
    if (name === 'fleet') await loadFleet();
    if (name === 'runs') await loadRuns();
    if (name === 'task') await loadTask(id);
    if (name === 'metrics') await loadMetrics();
  } catch (err) {
    fail(err);
  }
}

let following = null;
function followSoon() {
  clearTimeout(following);
  following = setTimeout(() => followPreview().catch(fail), 200);
}

let refresh = null;
function refreshSoon() {
  clearTimeout(refresh);
  refresh = setTimeout(() => {
    const hash = location.hash.slice(1) || 'fleet';
    if (hash === 'fleet') loadFleet().catch(fail);
    if (hash === 'runs') loadRuns().catch(fail);
    if (hash === 'metrics') loadMetrics().catch(fail);
  }, 150);
}

function live() {
  const events = new EventSource('/api/events');
  events.addEventListener('task', (e) => {
    const t = JSON.parse(e.data);
    if (state.taskId === t.id) loadTask(t.id).catch(fail);
    if (state.preview && !state.preview.done) followSoon();
    refreshSoon();
  });
  events.addEventListener('step', (e) => {
    const s = JSON.parse(e.data);
    if (state.taskId === s.taskId) loadTask(s.taskId).catch(fail);
    else refreshSoon();
  });
}

async function main() {
  const session = await api('/api/session');
  state.csrf = session.csrf;
  state.role = session.role;
  $('role').textContent = session.role === 'admin' ? 'admin' : 'read-only';
  document.body.classList.toggle('read-only', session.role !== 'admin');
  $('freeze-toggle').disabled = session.role !== 'admin';
  $('search').addEventListener('input', renderFleet);
  $('status-filter').addEventListener('change', renderFleet);
  $('org').addEventListener('change', () => loadFleet().catch(fail));
  for (const th of $('fleet-table').querySelectorAll('th[data-sort]')) {
    th.addEventListener('click', () => {
      state.sort = { key: th.dataset.sort, dir: state.sort.key === th.dataset.sort ? -state.sort.dir : 1 };
      renderFleet();
    });
  }
  $('preview').addEventListener('click', () => preview(false));
  $('release').addEventListener('click', releaseClicked);
  $('confirm-release').addEventListener('click', releaseFleet);
  $('close-preview').addEventListener('click', () => ($('preview-panel').hidden = true));
  $('freeze-toggle').addEventListener('change', toggleFreeze);
  $('logout').addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST' }).catch(() => {});
    location.href = '/login';
  });
  window.addEventListener('hashchange', route);
  await loadFreeze().catch(fail);
  await route();
  live();
}

main().catch(fail);
