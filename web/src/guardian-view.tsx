import { useCallback, useState, type FormEvent } from 'react';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { bytes, count, dateTime } from './format.js';
import { ProtectPanel, RotPanel } from './guardian-actions.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { href } from './routes.js';
import { useLoad } from './use-load.js';
import type { GuardianAtRisk, GuardianNumbers, GuardianStatus, GuardianTally } from './types.js';

/** A drive known by its fingerprint only (no name, no label): not worth showing. */
const FINGERPRINT = /^[a-z]+:[0-9a-f]{12,}/i;

/** At-risk contents the page lists; the CLI's `guardian list --at-risk --limit` goes further. */
const AT_RISK_SHOWN = 50;

/**
 * `#/guardian`: how safe the library's contents are (issue 30) — how many meet the policy, fall
 * short, exist once or only where nothing was seen for a month; what each device holds; the
 * library's policy, changed here; a protect planned and run, a scrub and a repair; and the
 * contents short of the policy, with where their copies are. Until the user chooses the policy
 * (sets one, or takes the one suggested), the counts are said without warning colours and no
 * content is called short (issue 58): a new library's every photo is its own only copy.
 */
export function GuardianView() {
  const lib = useLibrary();
  const [status, reloadStatus] = useLoad((signal) => get<GuardianStatus>(API.guardianStatus(lib.id), signal), [lib.id]);
  const [risk, reloadRisk] = useLoad((signal) => get<GuardianAtRisk[]>(API.guardianAtRisk(lib.id, AT_RISK_SHOWN), signal), [lib.id]);
  const reload = useCallback(() => { reloadStatus(); reloadRisk(); }, [reloadStatus, reloadRisk]);
  return (
    <Page label="Guardian">
      <h1>Guardian</h1>
      {status.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {status.state === 'error' && <p>{status.message}</p>}
      {/* Not chosen yet: the choice first (it is what the page is for then), the counts after it. */}
      {status.state === 'ready' && !status.value.policy_chosen && <PolicyForm policy={status.value.policy} chosen={false} libId={lib.id} onChanged={reload} />}
      {status.state === 'ready' && <Summary s={status.value} />}
      {status.state === 'ready' && status.value.policy_chosen && <PolicyForm policy={status.value.policy} chosen libId={lib.id} onChanged={reload} />}
      {status.state === 'ready' && <ProtectPanel libId={lib.id} schedule={status.value.protect_schedule} onDone={reload} />}
      {status.state === 'ready' && <RotPanel libId={lib.id} rotten={status.value.rot.contents} onDone={reload} />}
      {status.state === 'ready' && status.value.by_device.length > 0 && <ByDevice s={status.value} />}
      <section aria-label="Contents short of the policy">
        <h2>Short of the policy</h2>
        {risk.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
        {risk.state === 'error' && <p>{risk.message}</p>}
        {status.state === 'ready' && !status.value.policy_chosen
          ? <p className="muted">Choose the library's policy above: then the contents short of it are listed here, and the grid can show only them.</p>
          : risk.state === 'ready' && (risk.value.length === 0
            ? <p className="muted">Every content has the copies its policy asks for.</p>
            : (
              <>
                <p><a href={href({ view: 'library', filter: { risk: true } })}>Show them in the grid</a></p>
                <ul className="guardian-risk">{risk.value.map((r) => <AtRiskItem key={r.content_uuid} r={r} />)}</ul>
              </>
            ))}
      </section>
    </Page>
  );
}

function Summary({ s }: { s: GuardianStatus }) {
  // Colours mean what they say: green where all is well, orange or red where something needs doing; none before a policy is chosen.
  const problem = (t: GuardianTally, bad: 'warn' | 'bad') => (!s.policy_chosen ? '' : t.contents > 0 ? bad : 'ok');
  const safeTone = !s.policy_chosen || s.contents === 0 ? '' : s.safe.contents === s.contents ? 'ok' : s.safe.contents === 0 ? 'bad' : 'warn';
  const tile = (label: string, t: GuardianTally, tone: string, hint: string) => (
    <li className={`guardian-tally ${tone}`}>
      <span className="guardian-count">{count(t.contents)}</span>
      <span className="guardian-label">{label}</span>
      <span className="muted">{bytes(t.bytes)} · {hint}</span>
    </li>
  );
  return (
    <section aria-label="How safe the library is">
      <p>
        {count(s.contents)} contents ({bytes(s.bytes)}) {s.policy_chosen ? 'against the policy of' : 'and the policy the Guardian suggests (not chosen yet):'} <strong>{policyText(s.policy)}</strong>.
      </p>
      <ul className="guardian-tallies">
        {s.policy_chosen && tile('safe', s.safe, safeTone, 'meet their policy')}
        {s.policy_chosen && tile('short', s.short, problem(s.short, 'warn'), 'fall short of it')}
        {s.lost.contents > 0 && tile('lost', s.lost, 'bad', s.by_device.some((d) => d.unconfirmed_since !== null) ? 'no copy counts: rotten, or on a device not heard from since the restore' : 'every copy rotten: none is good')}
        {tile('exist once', s.single, problem(s.single, 'bad'), 'one copy: a lost drive loses them')}
        {tile('stale', s.stale, problem(s.stale, 'warn'), 'only where nothing was seen for 30 days')}
        {tile('rotten', s.rot, s.rot.contents > 0 ? 'bad' : s.policy_chosen ? 'ok' : '', 'bytes changed on disk: repair them below')}
      </ul>
      <p className="small">
        The library's own work (tags, albums, people, notes): {s.library.snapshots === 0 || s.library.newest_at === null
          ? 'in no snapshot yet (vss library backup --to DRIVE).'
          : `${s.library.snapshots} snapshot${s.library.snapshots === 1 ? '' : 's'}, the newest ${dateTime(s.library.newest_at)}, on ${s.library.fresh_drives} drive${s.library.fresh_drives === 1 ? '' : 's'} within 7 days.`}
      </p>
      {s.trash.files > 0 && (
        <p className="small">
          <a href="#/trash">Trash</a>: {s.trash.files} file{s.trash.files === 1 ? '' : 's'} ({bytes(s.trash.bytes)}), not counted as copies
          {s.trash.last > 0 && `; ${s.trash.last} content${s.trash.last === 1 ? ' has its' : 's have their'} only bytes there`}.
        </p>
      )}
    </section>
  );
}

function policyText(p: GuardianNumbers): string {
  const parts = [`${p.copies} ${p.copies === 1 ? 'copy' : 'copies'}`];
  if (p.devices > 1) parts.push(`on ${p.devices} devices`);
  if (p.offsite > 0) parts.push(`${p.offsite} off this device`);
  return parts.join(', ');
}

function PolicyForm({ policy, chosen, libId, onChanged }: { policy: GuardianNumbers; chosen: boolean; libId: string; onChanged: () => void }) {
  const [draft, setDraft] = useState(policy);
  const [busy, setBusy] = useState(false);
  const submit = useCallback(async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api('PUT', API.guardianSetPolicy(libId), draft);
      onChanged();
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  }, [draft, libId, onChanged]);
  const field = (key: keyof GuardianNumbers, label: string, min: number) => (
    <label className="field guardian-number">
      {label}
      <input type="number" min={min} max={64} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: Math.max(min, Math.min(64, Math.trunc(Number(e.target.value)) || 0)) })} />
    </label>
  );
  const changed = draft.copies !== policy.copies || draft.devices !== policy.devices || draft.offsite !== policy.offsite;
  return (
    <form className="guardian-policy" aria-label="The library's policy" onSubmit={(e) => void submit(e)}>
      <h2>The library's policy</h2>
      {!chosen && <p>No policy chosen yet: these numbers are the Guardian's suggestion. Take them, or change them first; until then nothing is called short.</p>}
      <div className="guardian-fields">
        {field('copies', 'Copies', 1)}
        {field('devices', 'On devices', 0)}
        {field('offsite', 'Off this device', 0)}
        <button type="submit" disabled={(chosen && !changed) || busy}>{chosen || changed ? 'Keep this policy' : 'Use this policy'}</button>
      </div>
      <p className="muted">A location or a tag may ask for more: <code>vss guardian policy --tag NAME --copies 3</code>.</p>
    </form>
  );
}

function ByDevice({ s }: { s: GuardianStatus }) {
  return (
    <section aria-label="What each device holds">
      <h2>Devices</h2>
      <table className="guardian-devices">
        <thead><tr><th scope="col">Device</th><th scope="col">Contents</th><th scope="col">Size</th><th scope="col">Last seen</th></tr></thead>
        <tbody>
          {s.by_device.map((d, i) => (
            <tr key={d.device_id}>
              <th scope="row">{d.name}{i === 0 ? ' (this device)' : ''}</th>
              <td>{count(d.contents)}</td>
              <td>{bytes(d.bytes)}</td>
              <td>{i === 0 ? 'now' : dateTime(d.last_seen)}{d.unconfirmed_since !== null && <span className="muted"> · not heard from since the restore: its copies are not counted</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AtRiskItem({ r }: { r: GuardianAtRisk }) {
  const needs: string[] = [];
  if (r.short_by.copies > 0) needs.push(`${r.short_by.copies} more ${r.short_by.copies === 1 ? 'copy' : 'copies'}`);
  if (r.short_by.devices > 0) needs.push(`${r.short_by.devices} more ${r.short_by.devices === 1 ? 'device' : 'devices'}`);
  if (r.short_by.offsite > 0) needs.push(`${r.short_by.offsite} more off this device`);
  const name = r.copies[0]?.path.split(/[\\/]/).pop() ?? r.content_uuid;
  return (
    <li className="guardian-risk-item">
      <a href={href({ view: 'content', uuid: r.content_uuid, q: '' })}>{name}</a>
      <span className="muted"> · {r.kind} · {bytes(r.size)} · {r.lost ? (r.copies.some((c) => c.unconfirmed) ? 'lost: no copy counts' : 'lost: every copy is rotten') : r.has.copies === 1 ? 'exists once' : `${r.has.copies} copies`} · needs {needs.join(', ')}</span>
      <ul className="guardian-copies">
        {r.copies.map((c) => (
          <li key={`${c.device_id}|${c.path}`}>
            <span className={c.online ? 'status status-ready' : 'status status-paused'}>{c.online ? 'online' : 'offline'}</span>{' '}
            {c.device_name}: <span className="path">{c.path}</span>
            <span className="muted"> · {c.rotten ? 'rotten: not counted' : c.unconfirmed ? 'its device not heard from since the restore: not counted' : c.verified_at === null ? 'never verified' : `verified ${dateTime(c.verified_at)}`}{c.volume && !FINGERPRINT.test(c.volume) ? ` · on ${c.volume}` : ''}</span>
          </li>
        ))}
      </ul>
    </li>
  );
}
