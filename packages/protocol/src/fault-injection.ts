/**
 * Crash points a test can arm in a real process (`BATON_FAULT_INJECTION=<point>,...`), to reach
 * moments a kill from outside cannot hit reliably: between a gateway's append and its enqueue,
 * between a turn's last chunk and its checkpoint. Unarmed points cost one `Set` lookup. Never arm
 * them in production.
 */
export const FAULT_POINTS = ['gateway-after-append', 'worker-before-checkpoint'] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

export type FaultInjector = {
  /** Crashes the process at `point` if it is armed. */
  trip(point: FaultPoint): void;
};

export const NO_FAULTS: FaultInjector = { trip() {} };

/** Parses the armed points; an unknown name is a configuration error. */
export function parseFaultPoints(value: string | undefined): FaultPoint[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(FAULT_POINTS as readonly string[]).includes(name)) {
      throw new Error(`unknown fault point "${name}"; known: ${FAULT_POINTS.join(', ')}`);
    }
  }
  return names as FaultPoint[];
}

/** An injector that calls `crash` (a hard exit) at the armed points. */
export function createFaultInjector(
  armed: FaultPoint[],
  crash: (point: FaultPoint) => void,
): FaultInjector {
  if (armed.length === 0) return NO_FAULTS;
  const points = new Set(armed);
  return {
    trip(point) {
      if (points.has(point)) crash(point);
    },
  };
}
