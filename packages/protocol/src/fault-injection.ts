/**
 * Fault points a test can arm in a real process (`BATON_FAULT_INJECTION=<point>[:<action>],...`),
 * to reach moments a kill from outside cannot hit reliably: between a gateway's append and its
 * enqueue, between a turn's last chunk and its checkpoint. Each app names its own points (its
 * config's `FAULT_POINTS`); this module only parses and trips them. Unarmed points cost one `Map`
 * lookup. Never arm them in production.
 *
 * Actions: `crash` (the default) kills the process at once, as a power cut would; `throw-once`
 * throws a `FaultInjectedError` the first time the point is reached, as an unexpected error of
 * that step would (a Redis error, a bug), and then disarms.
 */
export type FaultAction = 'crash' | 'throw-once';

const FAULT_ACTIONS: readonly FaultAction[] = ['crash', 'throw-once'];

export type FaultInjector<Point extends string = string> = {
  /** Crashes the process, or throws, at `point` if it is armed. */
  trip(point: Point): void;
};

export const NO_FAULTS: FaultInjector<never> = { trip() {} };

/** What `throw-once` throws. */
export class FaultInjectedError extends Error {
  constructor(point: string) {
    super(`fault injected at ${point}`);
    this.name = 'FaultInjectedError';
  }
}

/** Parses the armed points against the app's `known` ones; an unknown name is a setting error. */
export function parseFaultPoints<Point extends string>(
  value: string | undefined,
  known: readonly Point[],
): Map<Point, FaultAction> {
  const armed = new Map<Point, FaultAction>();
  for (const entry of (value ?? '').split(',')) {
    const [name = '', action = 'crash'] = entry.trim().split(':');
    if (name === '') continue;
    if (!(known as readonly string[]).includes(name)) {
      throw new Error(`unknown fault point "${name}"; known: ${known.join(', ')}`);
    }
    if (!(FAULT_ACTIONS as readonly string[]).includes(action)) {
      throw new Error(`unknown fault action "${action}"; known: ${FAULT_ACTIONS.join(', ')}`);
    }
    armed.set(name as Point, action as FaultAction);
  }
  return armed;
}

/** An injector that calls `crash` (a hard exit) or throws at the armed points. */
export function createFaultInjector<Point extends string>(
  armed: ReadonlyMap<Point, FaultAction>,
  crash: (point: Point) => void,
): FaultInjector<Point> {
  if (armed.size === 0) return NO_FAULTS;
  const points = new Map(armed);
  return {
    trip(point) {
      const action = points.get(point);
      if (action === 'crash') crash(point);
      if (action === 'throw-once') {
        points.delete(point);
        throw new FaultInjectedError(point);
      }
    },
  };
}
