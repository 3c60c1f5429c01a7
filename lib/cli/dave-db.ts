#!/usr/bin/env node
/**
 * `dave-db`: inspect, verify, import and export a Dave database directory.
 * The commands live in lib/cli/db/; this file only wires them to the
 * process. Usage: `dave-db --help`, or the README's dave-db section.
 */
import { run } from './db/main.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
