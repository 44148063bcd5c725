// The plane rule (issue 6 §2): a value the scan carries wins; a plane fills only what the
// scan lacks, whole (ACB fields are read together, never mixed across sources). A filled
// EsoF value then meets the EsoF lane's own staleness rule at the scan's ts.
import type { Planes, Scan } from '../model/index.js';

export function withPlanes(scan: Scan, planes: Planes): Scan {
  const esof = scan.esof ?? planes.esof;
  const acb = scan.acb ?? planes.acb;
  const mcStatus = scan.mc_status ?? planes.mc_status;
  const posture = scan.posture ?? planes.posture;
  if (
    esof === scan.esof &&
    acb === scan.acb &&
    mcStatus === scan.mc_status &&
    posture === scan.posture
  ) {
    return scan;
  }
  return { ...scan, esof, acb, mc_status: mcStatus, posture };
}
