// Closed vocabularies of the domain (SPEC §2).
export const DIRECTIONS = ['SHORT', 'LONG'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const POSTURES = ['APEX', 'STALKER', 'HIBERNATE'] as const;
export type Posture = (typeof POSTURES)[number];

export const MC_STATUSES = ['GREEN', 'ORANGE', 'RED'] as const;
export type McStatus = (typeof MC_STATUSES)[number];

export const PROFILES = ['orchestrator', 'v3-shadow'] as const;
export type Profile = (typeof PROFILES)[number];

export const DC_STATUSES = ['CONFIRM', 'NEUTRAL', 'CONTRADICT'] as const;
export type DcStatus = (typeof DC_STATUSES)[number];

export const EXCHANGE_POLICIES = ['linear', 'cubic', 'flat'] as const;
export type ExchangePolicy = (typeof EXCHANGE_POLICIES)[number];
