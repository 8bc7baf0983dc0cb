#!/usr/bin/env node
// `baton`: the command line, and the only file of it with side effects at import (STYLE.md).
import { createProgram } from './program.ts';

await createProgram().parseAsync(process.argv);
