import { tool } from 'ai';
import { z } from 'zod';
import { stableHash } from './stable-hash.ts';

/** What {@link bookTable} books: the restaurant, the number of guests and the time. */
export type TableRequest = { restaurant: string; guests: number; time: string };

/** A simulated booking: the same request always gets the same confirmation code. */
export type TableBooking = TableRequest & { status: 'confirmed'; confirmation: string };

/**
 * The demo agents' tool with a side effect, so the playground can show a tool approval: the agent
 * runs it only after the user approved the call (`demoToolApproval`). The booking is simulated
 * (nothing leaves the process), and its confirmation code is derived from the request.
 */
export const bookTable = tool({
  description:
    'Book a table at a restaurant. This has a real-world effect, so the user is asked to approve ' +
    'every call before it runs; if they deny it, tell them nothing was booked.',
  inputSchema: z.object({
    restaurant: z.string().describe('The restaurant, e.g. "Chez Marie".'),
    guests: z.number().int().positive().describe('How many people, e.g. 2.'),
    time: z.string().describe('When, e.g. "19:30" or "8pm".'),
  }),
  execute: (request): TableBooking => book(request),
});

function book(request: TableRequest): TableBooking {
  const restaurant = request.restaurant.trim();
  const time = request.time.trim();
  const code = stableHash(`${restaurant.toLowerCase()}|${request.guests}|${time.toLowerCase()}`);
  return {
    restaurant,
    guests: request.guests,
    time,
    status: 'confirmed',
    confirmation: `BT-${code.toString(36).toUpperCase().padStart(7, '0').slice(-6)}`,
  };
}
