export * from './e2e.ts';
export * from './fast.ts';
export * from './impact.ts';
export * from './report.ts';
export * from './world.ts';
