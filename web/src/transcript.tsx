import { useEffect, useState, type RefObject } from 'react';
import { clock } from './format.js';
import { Highlighted } from './marked-text.js';
import { matchesAny } from './query-terms.js';
import type { TranscriptJson } from './types.js';

/**
 * What is said in the recording, a line per segment; each time is a button that plays from
 * there. The segment playing now is marked as the current one.
 */
export function Transcript({ segments, playerRef, terms }: { segments: TranscriptJson['segments']; playerRef: RefObject<HTMLMediaElement | null>; terms: readonly string[] }) {
  const [now, setNow] = useState(-1);
  useEffect(() => {
    const player = playerRef.current;
    if (!player) return;
    const onTime = () => setNow(player.currentTime);
    player.addEventListener('timeupdate', onTime);
    return () => player.removeEventListener('timeupdate', onTime);
  }, [playerRef]);
  const seek = (start: number) => {
    const player = playerRef.current;
    if (!player) return;
    player.currentTime = start;
    void player.play().catch(() => undefined);
  };
  return (
    <section aria-label="Transcript" className="card">
      <h2>Transcript</h2>
      {segments.length === 0 ? <p className="muted">Nothing was said.</p> : (
        <ol className="transcript">
          {segments.map((s, i) => (
            <li key={i} className={`${now >= s.start && now < s.end ? 'current' : ''}${matchesAny(s.text, terms) ? ' match' : ''}`}>
              <button type="button" className="time" onClick={() => seek(s.start)} aria-label={`Play from ${clock(s.start)}`}>
                {clock(s.start)}
              </button>
              <span><Highlighted text={s.text} terms={terms} /></span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
