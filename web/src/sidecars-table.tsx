import { bytes } from './format.js';
import type { DetailSidecar } from './types.js';

/** The content's sidecars: each kind and variant, its state here, and the devices that hold it. */
export function SidecarsTable({ sidecars }: { sidecars: readonly DetailSidecar[] }) {
  return (
    <section aria-label="Sidecars" className="card">
      <h2>Sidecars</h2>
      {sidecars.length === 0 ? <p className="muted">None yet.</p> : (
        <div className="table-wrap">
          <table className="sidecars">
            <thead>
              <tr><th scope="col">Kind</th><th scope="col">Variant</th><th scope="col">State</th><th scope="col">Size</th><th scope="col">Devices</th></tr>
            </thead>
            <tbody>
              {sidecars.map((s) => (
                <tr key={`${s.kind}/${s.variant}`}>
                  <th scope="row">{s.kind}</th>
                  <td>{s.variant}{s.format ? <span className="muted"> .{s.format}</span> : null}</td>
                  <td><span className={`status status-${s.status}`}>{s.status}</span></td>
                  <td className="num">{bytes(s.size)}</td>
                  <td>
                    {s.devices.length === 0 ? <span className="muted">none</span> : (
                      <ul className="devices-inline">
                        {s.devices.map((d) => <li key={d.device_id} title={d.device_id}>{d.name}{d.local ? <span className="muted"> (this device)</span> : null}</li>)}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
