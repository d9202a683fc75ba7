import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordedPlace, safeName } from './get-all-plan.js';

const c = (location_name: string | null, rel_path: string | null, mime = 'image/jpeg') => ({ uuid: 'u-1', mime, location_name, rel_path });

describe('where content get --all puts a content', () => {
  it('LOCATION/its/path as recorded; nothing recorded: Unfiled/UUID.ext', () => {
    assert.equal(recordedPlace(c('Photos', '2023/trip/beach.jpg')), 'Photos/2023/trip/beach.jpg');
    assert.equal(recordedPlace(c(null, null)), 'Unfiled/u-1.jpg');
    assert.equal(recordedPlace(c(null, null, 'application/x-weird+zip')), 'Unfiled/u-1');
  });

  it('a recorded path never steps out of the folder: .., absolute, separators and NUL made safe', () => {
    assert.equal(recordedPlace(c('Photos', '../../etc/passwd')), 'Photos/etc/passwd');
    assert.equal(recordedPlace(c('Photos', '/abs/x.jpg')), 'Photos/abs/x.jpg');
    assert.equal(recordedPlace(c('..', 'a\\..\\b.jpg')), '_/a/b.jpg');
    assert.equal(recordedPlace(c('My/Loc', 'x\u0000y.jpg')), 'My_Loc/x_y.jpg');
    assert.equal(recordedPlace(c('Photos', '..')), 'Unfiled/u-1.jpg', 'no file name left: unfiled');
  });

  it('a name too long is cut to 255 bytes, its extension kept', () => {
    const long = safeName(`${'é'.repeat(200)}.jpeg`);
    assert.ok(Buffer.byteLength(long) <= 255 && long.endsWith('.jpeg'));
  });
});
