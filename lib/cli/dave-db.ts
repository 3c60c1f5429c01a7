#!/usr/bin/env node
/** `dave-db`: inspect a node's database. PLACEHOLDER until the store lands (issue 2). */
console.log('usage: dave-db <dump|stats|verify|import|export> ...');
