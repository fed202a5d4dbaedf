// The storage account's key access as a state machine, written down: every
// state, and every change by name with where it may start and where it
// leads. The account asserts each change against this table; explore counts
// the changes a run takes; sla.json names them "from→to".

export const ACCESS_KINDS = ['provisioning', 'noKey', 'healthy', 'unavailable', 'revoked', 'recovering', 'deleted'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * Every change of access: from which states, to which. "same" changes only
 * what is pending within the state. Anything else throws: a found bug.
 */
export const TRANSITIONS = {
  provisioned: { from: ['provisioning'], to: 'noKey' },
  keyConfigured: { from: ['noKey'], to: 'healthy' },
  /** A first error after Key Vault last answered: unavailable after outageToUnavailable unless it answers. */
  errorsBegin: { from: ['healthy', 'recovering'], to: 'same' },
  /** A success: pending unavailability and revocation are off. */
  successSeen: { from: ['healthy', 'recovering'], to: 'same' },
  /** A denial: Key Vault answered (pending unavailability is off), and revocation is due within revocationWithin of the change. */
  denialSeen: { from: ['healthy', 'unavailable', 'recovering'], to: 'same' },
  /** Told of a denial at the change, out of band (revocationWhileUnreachable onTime): revocation is due within revocationWithin of it; not an answer, so the outage clock runs on. */
  denialNotified: { from: ['healthy', 'unavailable', 'recovering'], to: 'same' },
  errorsTooLong: { from: ['healthy', 'recovering'], to: 'unavailable' },
  revocationDue: { from: ['healthy', 'unavailable', 'recovering'], to: 'revoked' },
  accessRestored: { from: ['unavailable', 'revoked'], to: 'recovering' },
  resumeDue: { from: ['recovering'], to: 'healthy' },
  /** Never while provisioning: "a cluster cannot be deleted while it is provisioning". */
  deleted: { from: ['noKey', 'healthy', 'unavailable', 'revoked', 'recovering'], to: 'deleted' },
} as const satisfies Record<string, { from: readonly AccessKind[]; to: AccessKind | 'same' }>;
export type TransitionName = keyof typeof TRANSITIONS;

/** Every change of state the table allows, as "from→to". */
export const STATE_CHANGES: readonly string[] = Object.values(TRANSITIONS as Record<string, { from: readonly string[]; to: string }>).flatMap((t) =>
  t.to === 'same' ? [] : t.from.map((from) => `${from}→${t.to}`),
);
