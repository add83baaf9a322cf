#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addEnvironmentStack } from '../src/app.js';

const app = new App();
addEnvironmentStack(app);
app.synth();
