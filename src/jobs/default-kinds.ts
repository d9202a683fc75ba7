import { GENERATORS } from '../generators/registry.js';
import { generatorJobKind } from './generator-job.js';
import { JobKinds } from './job-kind.js';
import { GENERATION_SCHEDULE } from './schedule.js';

/** The job kinds of this vss: one per generator, scheduled by GENERATION_SCHEDULE. */
export function defaultJobKinds(): JobKinds {
  const kinds = new JobKinds();
  for (const gen of GENERATORS) {
    const schedule = GENERATION_SCHEDULE[gen.kind];
    if (schedule) kinds.register(generatorJobKind(gen, schedule));
  }
  return kinds;
}
