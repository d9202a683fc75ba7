import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { importWebModule } from './web-module.js';

interface Segment { day: number; first: number; len: number; col: number }
type Row = { type: 'header'; day: number; first: number } | { type: 'items'; headings: boolean; segs: Segment[]; first: number };
interface GridLayout { cols: number; rows: Row[]; first: Int32Array; items: number }
type Move = 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end';
interface GridLayoutModule {
  buildLayout(days: Array<{ day: string | null; count: number }>, cols: number): GridLayout;
  rowOfItem(layout: GridLayout, item: number): number;
  rowLength(row: Row): number;
  moveFrom(layout: GridLayout, item: number, move: Move, pageRows: number): number;
  gridSizes(width: number): { cols: number; cell: number; gap: number; header: number; heading: number };
  rowHeight(row: Row, s: ReturnType<GridLayoutModule['gridSizes']>): number;
}

const g = await importWebModule<GridLayoutModule>('grid-layout.ts');
const day = (d: string | null, count: number) => ({ day: d, count });

describe('the grid layout (web/src/grid-layout.ts)', () => {
  // 4 columns: two small days share a row, a day of 6 gets a header and two rows, then two more small days.
  const days = [day('2024-05-03', 1), day('2024-05-02', 3), day('2024-05-01', 6), day('2024-04-30', 2), day(null, 2)];
  const layout = g.buildLayout(days, 4);

  it('puts small days side by side, each under its heading, and gives a big day rows of its own', () => {
    assert.equal(layout.items, 14);
    assert.deepEqual(layout.rows.map((r) => r.type === 'header' ? `H${r.day}` : r.segs.map((s) => `${r.headings ? 'h' : ''}${s.day}:${s.first}+${s.len}@${s.col}`).join(' ')), [
      'h0:0+1@0 h1:1+3@1',
      'H2',
      '2:4+4@0',
      '2:8+2@0',
      'h3:10+2@0 h4:12+2@2',
    ]);
    assert.deepEqual([...layout.first], [0, 4, 4, 8, 10]);
    // Days that together overflow a row by one start a new row.
    assert.deepEqual(g.buildLayout([day('2024-01-02', 3), day('2024-01-01', 2)], 4).rows.map((r) => g.rowLength(r)), [3, 2]);
  });

  it('finds the row of every item, never a header row', () => {
    for (let i = 0; i < layout.items; i++) {
      const r = layout.rows[g.rowOfItem(layout, i)]!;
      assert.equal(r.type, 'items', `item ${i}`);
      assert.ok(i >= r.first && i < r.first + g.rowLength(r), `item ${i} is in row starting at ${r.first}`);
    }
  });

  it('moves the focus by keys: across headings, keeping the column as far as rows allow', () => {
    assert.equal(g.moveFrom(layout, 2, 'down', 1), 6, 'column 2 of the shared row → column 2 of the big day, past its header');
    assert.equal(g.moveFrom(layout, 7, 'down', 1), 9, 'column 3 → the shorter row’s last item');
    assert.equal(g.moveFrom(layout, 9, 'down', 1), 11, 'column 1 → the next shared row’s column 1');
    assert.equal(g.moveFrom(layout, 4, 'up', 1), 0, 'up past the header');
    assert.equal(g.moveFrom(layout, 0, 'up', 1), 0, 'nothing above the first row');
    assert.equal(g.moveFrom(layout, 13, 'down', 1), 13, 'nothing below the last row');
    assert.equal(g.moveFrom(layout, 3, 'right', 1), 4);
    assert.equal(g.moveFrom(layout, 0, 'left', 1), 0);
    assert.equal(g.moveFrom(layout, 5, 'end', 1), 13);
    assert.equal(g.moveFrom(layout, 5, 'home', 1), 0);
    assert.equal(g.moveFrom(layout, 1, 'pageDown', 2), 9, 'two item rows down');
    assert.equal(g.moveFrom(layout, 1, 'pageDown', 99), 11, 'stops at the last row');
  });

  it('builds 100k items in rows quickly, every item in exactly one row', () => {
    const many = Array.from({ length: 2000 }, (_, i) => day(`2020-01-${String((i % 28) + 1).padStart(2, '0')}`, 1 + ((i * 37) % 97)));
    const total = many.reduce((a, d) => a + d.count, 0);
    const t0 = performance.now();
    const big = g.buildLayout(many, 7);
    const ms = performance.now() - t0;
    assert.equal(big.items, total);
    let counted = 0;
    for (const r of big.rows) {
      assert.ok(g.rowLength(r) <= 7, `a row of ${g.rowLength(r)} items in 7 columns`);
      counted += g.rowLength(r);
    }
    assert.equal(counted, total);
    assert.ok(ms < 500, `built in ${ms.toFixed(1)} ms`);
  });

  it('fits the columns in the width from a phone to a desktop, with fixed row heights', () => {
    for (const width of [336, 360, 600, 1024, 1256, 2400]) {
      const s = g.gridSizes(width);
      assert.ok(s.cols >= 2, `${width}: at least two columns`);
      assert.ok(s.cols * s.cell + (s.cols - 1) * s.gap <= width, `${width}: ${s.cols} × ${s.cell} + gaps fit`);
      assert.equal(g.rowHeight(layout.rows[0]!, s), s.cell + s.gap + s.heading);
      assert.equal(g.rowHeight(layout.rows[1]!, s), s.header);
      assert.equal(g.rowHeight(layout.rows[2]!, s), s.cell + s.gap);
    }
  });
});
