// The live region: summaries, spoken only on change and at most once per interval.
import { expect } from '@open-wc/testing';
import { Announcer, summarize } from '../src/announcer.js';

describe('announcer', () => {
  it('summarises faces', () => {
    expect(summarize([])).to.equal('No faces');
    expect(summarize([{ dominant: 'happy' }])).to.equal('1 face: happy');
    expect(summarize([{ dominant: 'happy' }, { dominant: 'neutral' }])).to.equal('2 faces: happy, neutral');
  });

  it('speaks a change at once, then throttles and skips repeats', async () => {
    let t = 10_000;
    const spoken: string[] = [];
    const a = new Announcer((s) => spoken.push(s), 60, () => t);
    a.offer('1 face: happy');
    a.offer('1 face: happy');
    expect(spoken).to.deep.equal(['1 face: happy']);
    t += 10;
    a.offer('1 face: sad');
    a.offer('1 face: neutral'); // replaces the pending one
    expect(spoken).to.deep.equal(['1 face: happy']);
    t += 60;
    await new Promise((r) => setTimeout(r, 120));
    expect(spoken).to.deep.equal(['1 face: happy', '1 face: neutral']);
    t += 100;
    a.offer('1 face: neutral');
    expect(spoken.length).to.equal(2);
  });

  it('drops a pending summary when the state returns to what was last said', async () => {
    let t = 0;
    const spoken: string[] = [];
    const a = new Announcer((s) => spoken.push(s), 50, () => t);
    a.offer('A');
    t += 5;
    a.offer('B');
    a.offer('A');
    t += 100;
    await new Promise((r) => setTimeout(r, 80));
    expect(spoken).to.deep.equal(['A']);
  });
});
