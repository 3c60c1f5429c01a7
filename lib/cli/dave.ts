#!/usr/bin/env node
/** `dave`: run a node. PLACEHOLDER: prints usage until the node lands (issue 3). */
console.log('usage: dave [--listen ADDR:PORT] [--edge ADDR:PORT]... [--db DIR]');
