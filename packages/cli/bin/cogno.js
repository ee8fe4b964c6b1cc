#!/usr/bin/env node
import "../dist/cogno.js";
