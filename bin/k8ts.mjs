#!/usr/bin/env node
import '../dist/k8ts.mjs';
