// The order jest starts the suites in: the API-server suite first (the longest; begun last, it
// would run alone at the end), then jest's own order (the slowest first, from its timing cache; by
// file size on a fresh clone).
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = ['cluster.test.ts'];

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const i = FIRST.findIndex((f) => t.path.endsWith(`/${f}`));
      return i < 0 ? FIRST.length : i;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
