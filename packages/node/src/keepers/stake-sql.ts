/**
 * The one definition of "stake in effect" the keepers share (inputs, votes, validators, fee
 * discounts): a stake row `st` counts from its effective epoch, less what slashes took from it and
 * less the unbondings in effect by epoch `epoch` (an SQL expression, e.g. `$1`).
 */
export function stakeInEffect(epoch: string): string {
  return `(st.amount - st.slashed - COALESCE((SELECT SUM(u.amount) FROM unbondings u WHERE u.stake_id = st.id AND u.effective_epoch <= ${epoch}), 0))`;
}
