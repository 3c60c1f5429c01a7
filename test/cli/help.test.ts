/** The help texts (lib/cli/help.ts) name every option the parsers take, so --help never hides one. */
import { expect } from 'chai';
import { COMMAND_USAGE, START_USAGE, USAGE, pointToHelp } from '../../lib/cli/help.js';
import { START_OPTIONS } from '../../lib/cli/start-options.js';
import { CLIENT_COMMANDS } from '../../lib/cli/client-commands.js';

describe('cli: help texts', () => {
  it('dave start --help names every option dave start takes', () => {
    for (const name of Object.keys(START_OPTIONS)) {
      if (name === 'db') continue; // the old name of --data, mentioned as such
      expect(START_USAGE, `--${name}`).to.include(`--${name}`);
    }
    expect(START_USAGE).to.include('--db is the old name');
  });

  it('every one-shot command has a usage, and the list names it', () => {
    for (const cmd of Object.keys(CLIENT_COMMANDS)) {
      expect(COMMAND_USAGE[cmd], cmd).to.match(new RegExp(`^usage: dave ${cmd}\\b`));
      expect(USAGE, cmd).to.match(new RegExp(`\\n  ${cmd}\\b`));
    }
  });

  it('a usage error points to the command\'s --help once', () => {
    expect(pointToHelp('get: missing key', 'get')).to.equal('get: missing key (dave get --help)');
    expect(pointToHelp('start: bad (dave start --help)', 'start')).to.equal('start: bad (dave start --help)');
    expect(pointToHelp('unknown command "x"', 'x')).to.equal('unknown command "x" (dave --help)');
  });
});
