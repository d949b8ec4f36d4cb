/**
 * Money columns: the platform's range (±922,337,203,685,477) and at most four decimals
 * (powerapps-docs types-of-fields / MoneyAttributeMetadata). A module of its own so the panel
 * bundle takes these two numbers without the rest of the Dataverse contract.
 */
export const MONEY_RANGE = { min: -922_337_203_685_477, max: 922_337_203_685_477 } as const;
export const MONEY_MAX_PRECISION = 4;
