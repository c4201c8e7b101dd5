// Reads a fleet task's data back as typed values, failing loudly when a step's input is not what it needs.

import { CutterError } from '../core/errors.js';
import type { JsonObject } from '../workflow/types.js';
import type { FleetRequest, FleetTaskData } from './fleet-data.js';

export function fleetData(data: Readonly<JsonObject>): FleetTaskData {
  return data as unknown as FleetTaskData;
}

export function fleetRequestOf(data: Readonly<JsonObject>): FleetRequest {
  const fleet = fleetData(data).fleet;
  if (!fleet || typeof fleet.org !== 'string' || !fleet.org) {
    throw new CutterError('CUTTER_BAD_INPUT', 'a fleet task needs fleet: { org, patterns, … }', {
      hint: 'start fleet runs with `cutter fleet --org <org>` or POST /api/fleet { "org": "<org>" }',
    });
  }
  return fleet;
}
