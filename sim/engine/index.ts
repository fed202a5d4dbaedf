// The engine: virtual clock and scheduler, named random streams, durations.
// It knows nothing of Azure.

export * from './scheduler.ts';
export * from './random.ts';
export * from './duration.ts';
