#!/usr/bin/env python3
"""
An independent reference for the golden vectors (packages/core/test/golden): the compute pool of
SPEC §4.4–4.5 recomputed in Python from each vector's input — emission and the role split, C, V
(leave-one-owner-out over the trailing window), S with its cap and probation, the usage pool and
its fee bound, the capacity split, referrals out of the node's own reward, the staker pool and the
payouts — checked against the engine's result, and written out as each vector's `arithmetic`.

The quality factors U, E, R, P, the compute units, the hardware class, the commitment and the
bonuses are read from the engine's statement (their own table-driven tests cover them); every
figure downstream of them is recomputed here with Python's integers and compared.

Usage: npx tsx packages/core/scripts/golden-results.ts > /tmp/results.json
       python3 packages/core/scripts/golden_reference.py /tmp/results.json [--write]
"""
import json
import sys
from decimal import Decimal, getcontext
from pathlib import Path

getcontext().prec = 80
W = 10**18
DIR = Path(__file__).resolve().parent.parent / 'test' / 'golden'


def wad(s):
    d = Decimal(s)
    return int(d * W)


def fmt(x):
    """A WAD as an exact decimal, like the engine's formatWad."""
    sign = '-' if x < 0 else ''
    x = abs(x)
    i, f = divmod(x, W)
    if f == 0:
        return f'{sign}{i}'
    return f'{sign}{i}.{str(f).rjust(18, "0").rstrip("0")}'


def apportion(pool, weights, ids):
    """Largest remainder (SPEC §4.1): floors, then a unit each to the largest remainders, ties by id."""
    total = sum(weights)
    if total == 0:
        return None, []
    shares = [pool * w // total for w in weights]
    left = pool - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-((pool * weights[i]) % total) if weights[i] > 0 else 1, ids[i]))
    winners = sorted(order[:left])
    for i in winners:
        shares[i] += 1
    return shares, winners


def clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


def check(ok, what):
    if not ok:
        raise SystemExit(f'MISMATCH: {what}')


def vector(name, v, engine, params):
    lines = []
    inp = v['input']
    res = engine
    e, cp = params['emission'], params['compute']
    nodes = sorted(inp['nodes'], key=lambda n: n['id'])
    st = {s['id']: s for s in res['nodes']}
    slot = inp['slotSeconds']
    active = [n for n in nodes if n['status'] == 'active']

    # §4.2 emission: D from billable utilisation (for the usage pool); the pool is E × growth
    delivered = sum(n['gpuSecondsDelivered'] for n in active)
    provisioned = sum(sum(g['count'] for g in n['hardware']['gpus']) * n['upSlots'] * slot for n in active)
    target = wad(e['targetUtilisation'])
    ratio = 0 if provisioned == 0 else delivered * W * W // (provisioned * target)
    d = clamp(ratio, wad(e['dynamicMin']), wad(e['dynamicMax']))
    prev = inp['previousDynamicFactor']
    raw = d
    if prev is not None:
        p = wad(prev)
        lo, hi = p * (W - wad(e['circuitBreaker'])) // W, p * (W + wad(e['circuitBreaker'])) // W
        d = clamp(d, lo, hi)
        lines.append(f'circuit breaker: D_(n-1) = {fmt(p)}, allowed [{fmt(lo)}, {fmt(hi)}] → D = {fmt(d)}' + (' (clipped)' if d != raw else ''))
    growth = wad(e['expansionGrowth']) if inp['expansionPhase'] else W
    base = int(inp['baseEmission'])
    uncapped = base * growth // W
    maxp = wad(e['maxPerEpoch'])
    pool = min(uncapped, maxp)
    lines.append(
        f'network utilisation (billable) = {delivered}/{provisioned}; D = clamp({fmt(ratio)}, {e["dynamicMin"]}, {e["dynamicMax"]}) = {fmt(d)}: D scales only the usage pool (SPEC §4.2)'
    )
    lines.append(f'epoch pool P = min(floor(E {base} × growth {fmt(growth)}), max {maxp}) = {pool}' + (' (capped)' if uncapped > maxp else ''))
    check(int(res['emission']['epochPool']) == pool, f'{name}: epoch pool {res["emission"]["epochPool"]} ≠ {pool}')
    check(res['emission']['dynamicFactor'] == fmt(d), f'{name}: D {res["emission"]["dynamicFactor"]} ≠ {fmt(d)}')
    pools = {r: int(res['pools'][r]['allocated']) for r in res['pools']}
    check(sum(pools.values()) == pool, f'{name}: role pools do not add up to the epoch pool')
    lines.append(f'role pools (stake ratio {res["stakeRatio"]}, staker weight × {res["stakerWeightAdjust"]}) → ' + ', '.join(f'{r} {pools[r]}' for r in pools))

    # §4.4 V: leave-one-owner-out over the window (this epoch's usage + the input's history)
    usage = {}
    for n in active:
        s = st[n['id']]
        prov = s['countedGpus'] * n['expectedSlots'] * slot
        key = (n['owner'], s['hardwareClass'])
        u = usage.setdefault(key, [0, 0])
        u[0] += min(n['gpuSecondsDelivered'], prov)
        u[1] += prov
    window = dict((k, list(x)) for k, x in usage.items())
    for h in inp['scarcityHistory']:
        u = window.setdefault((h['owner'], h['hardwareClass']), [0, 0])
        u[0] += h['delivered']
        u[1] += h['provisioned']
    if inp['scarcityHistory']:
        lines.append('scarcity window: this epoch plus ' + '; '.join(f'{h["owner"][-4:]}/{h["hardwareClass"]} {h["delivered"]}/{h["provisioned"]}' for h in inp['scarcityHistory']))
    net = [sum(x[0] for x in window.values()), sum(x[1] for x in window.values())]
    scarcity = {}
    for (owner, cls) in sorted(usage):
        cls_d = sum(x[0] for (o, c), x in window.items() if c == cls and o != owner)
        cls_p = sum(x[1] for (o, c), x in window.items() if c == cls and o != owner)
        net_d = net[0] - sum(x[0] for (o, c), x in window.items() if o == owner)
        net_p = net[1] - sum(x[1] for (o, c), x in window.items() if o == owner)
        if net_d == 0 or cls_p == 0:
            f = W
            how = 'nothing to compare with → 1'
        else:
            r = cls_d * net_p * W // (cls_p * net_d)
            f = clamp(r, wad(cp['valuationMin']), wad(cp['valuationMax']))
            how = f'({cls_d}/{cls_p})/({net_d}/{net_p}) = {fmt(r)} → {fmt(f)}'
        scarcity[(owner, cls)] = f
        lines.append(f'scarcity of {cls} as owner …{owner[-4:]} sees it (its own nodes left out): {how}')

    # §4.4 S = C × Q × V × L × (1 + B), capped at 3C, times the probation share
    w4 = W**4
    scores, fees, ids = [], [], []
    for n in nodes:
        s = st[n['id']]
        cu = wad(s['computeUnits'])
        up = n['upSlots'] * slot
        c = cu * up
        check(wad(s['contribution']) == c, f'{name} {n["id"]}: C {s["contribution"]} ≠ {fmt(c)}')
        q, l, b = wad(s['quality']['total']), wad(s['commitment']), wad(s['bonuses']['total'])
        geo = wad(cp['underServedRegions'].get(n['region'], '1'))
        sc = scarcity.get((n['owner'], s['hardwareClass']), W) if n['status'] == 'active' else W
        v = sc * geo // W
        check(wad(s['valuation']['total']) == v, f'{name} {n["id"]}: V {s["valuation"]["total"]} ≠ {fmt(v)}')
        raw = c * q * v * l * (W + b) // w4
        score = min(raw, wad(cp['scoreCap']) * c // W)
        score = score * wad(s['probationShare']) // W
        if not s['eligible']:
            score = 0
        check(wad(s['score']) == score, f'{name} {n["id"]}: S {s["score"]} ≠ {fmt(score)}')
        q_ = s['quality']
        lines.append(
            f'{n["id"]}: C = CU {s["computeUnits"]} × up {up} s = {fmt(c)}; Q = 0.3·{q_["uptime"]} + 0.3·{q_["errors"]} + 0.2·{q_["response"]} + 0.2·{q_["rating"]} = {q_["total"]}; '
            f'V = {fmt(sc)}×{fmt(geo)} = {fmt(v)}; L {s["commitment"]}; B {s["bonuses"]["total"]}; S = {fmt(score)}'
            + ('' if s['eligible'] else f' (not eligible: {", ".join(s["reasons"])})')
            + f'; fee f = {n["fee"]}'
        )
        scores.append(score)
        fees.append(int(n['fee']) if s['eligible'] else 0)
        ids.append(n['id'])

    # §4.4 the usage pool, then the capacity part by scores
    rc = pools['compute']
    by_share = rc * wad(cp['usageShare']) * d // (W * W)
    fee_total = sum(fees)
    bound = wad(cp['usageFeeBound']) * fee_total // W
    r_usage = min(by_share, bound)
    check(int(res['usagePool']['pool']) == r_usage, f'{name}: usage pool {res["usagePool"]["pool"]} ≠ {r_usage}')
    lines.append(
        f'usage pool R_usage = min(usageShare {cp["usageShare"]} × D {fmt(d)} × R_compute {rc} = {by_share}, κ {cp["usageFeeBound"]} × F {fee_total} = {bound}) = {r_usage}'
        + (' (the fee bound)' if bound < by_share else ' (the share)')
    )
    usage_shares, wu = apportion(r_usage, fees, ids) if r_usage > 0 else ([0] * len(nodes), [])
    if usage_shares is None:
        usage_shares = [0] * len(nodes)
    cap_shares, wc = apportion(rc - r_usage, scores, ids)
    if r_usage > 0:
        lines.append(f'usage pool {r_usage} by fees → {usage_shares}' + (f'; leftover units to {[ids[i] for i in wu]}' if wu else ''))
    if cap_shares is None:
        cap_shares = [0] * len(nodes)
        lines.append(f'capacity part {rc - r_usage}: no positive score → treasury')
    else:
        lines.append(f'capacity part R_compute − R_usage = {rc - r_usage} by scores → {cap_shares}' + (f'; leftover units to {[ids[i] for i in wc]}' if wc else ''))

    # §4.5 referrals out of the node's own reward
    referral_paid = []
    rewards = []
    share, days = wad(params['referral']['share']), params['referral']['days']
    for i, n in enumerate(nodes):
        r = cap_shares[i] + usage_shares[i]
        if n['referrer'] is not None and r > 0 and inp['epochStart'] - n['registeredAt'] < days * 86400:
            paid = r * share // W
            if paid > 0:
                referral_paid.append((n['referrer'], n['id'], paid))
                lines.append(f'{n["id"]}: referral to …{n["referrer"][-4:]} = floor({r} × {params["referral"]["share"]}) = {paid}, out of its own reward → keeps {r - paid}')
                r -= paid
        rewards.append(r)
        s = st[n['id']]
        check(int(s['reward']) == r, f'{name} {n["id"]}: reward {s["reward"]} ≠ {r}')
        check(int(s['usageReward']) == usage_shares[i] and int(s['capacityReward']) == cap_shares[i], f'{name} {n["id"]}: usage/capacity')
    check([(x['referrer'], x['nodeId'], int(x['paid'])) for x in res['referrals']] == referral_paid, f'{name}: referrals')

    # §4.5 stakers: bonds × L × Q, stakes × L, one largest-remainder split by id
    bw = [(n['id'], int(st[n['id']]['bondWeight'])) for n in nodes]
    sw = [(s['id'], int(s['weight'])) for s in res['stakes']]
    merged = sorted([(i, 0, w) for i, w in bw] + [(i, 1, w) for i, w in sw], key=lambda x: (x[0], x[1]))
    sp, _ = apportion(pools['stakers'], [w for _, _, w in merged], [f'{i}\x00{k}' for i, k, _ in merged])
    if sp is not None:
        lines.append(f'stakers pool {pools["stakers"]} by weights (bonds × L × Q and stakes × L, in id order) {[w for _, _, w in merged]} → {sp}')
        for (i, k, _), x in zip(merged, sp):
            got = int(st[i]['bondReward']) if k == 0 else next(int(s['reward']) for s in res['stakes'] if s['id'] == i)
            check(got == x, f'{name} {i}: staker share {got} ≠ {x}')
    # §6.1 vesting: floor(reward × share) locked; what was due vests; a forfeit takes everything unvested
    vshare = wad(params['vesting']['share'])
    delta = {}
    totals = {'locked': 0, 'vested': 0, 'forfeited': 0}
    for i, n in enumerate(nodes):
        s = st[n['id']]
        v = n.get('vesting') or {'unvested': '0', 'due': '0', 'forfeit': False}
        locked = rewards[i] * vshare // W
        unv, due = int(v['unvested']), int(v['due'])
        if v['forfeit']:
            vested, forfeited, after = 0, unv + locked, 0
        else:
            vested, forfeited, after = due, 0, unv - due + locked
        check([int(s[k]) for k in ['locked', 'vested', 'forfeited', 'unvested']] == [locked, vested, forfeited, after], f'{name} {n["id"]}: vesting')
        if locked or vested or forfeited or unv:
            lines.append(f'{n["id"]}: locked floor({rewards[i]} × {params["vesting"]["share"]}) = {locked}; vested {vested} of {unv} unvested' + (f'; forfeited {forfeited}' if forfeited else '') + f' → unvested {after}')
        delta[n['owner']] = delta.get(n['owner'], 0) - locked + vested
        totals['locked'] += locked
        totals['vested'] += vested
        totals['forfeited'] += forfeited
    check({k: int(x) for k, x in res['vesting'].items()} == totals, f'{name}: vesting totals')
    claims = {p['address']: int(p['amount']) for p in res['payouts']}
    for a, d in delta.items():
        claims[a] = claims.get(a, 0) + d
    check({p['address']: int(p['amount']) for p in res['claims']} == {a: x for a, x in claims.items() if x != 0}, f'{name}: claims')
    lines.append(f'claims = payouts − locked + vested: {sum(claims.values())} of {sum(int(p["amount"]) for p in res["payouts"])} paid out')
    paid_out = sum(int(p['amount']) for p in res['payouts'])
    treasury = int(res['treasury'])
    check(paid_out + treasury == pool, f'{name}: payouts + treasury ≠ pool')
    lines.append(f'payouts {paid_out} + treasury (empty pools) {treasury} = pool {pool}')
    return lines


NEW_NODE_KEYS = ['reward', 'capacityReward', 'usageReward', 'fee', 'referral', 'locked', 'vested', 'forfeited', 'unvested', 'eligible', 'contribution', 'quality', 'valuation', 'score', 'reasons']


def expected(old, got):
    """The vector's expected values refreshed from a result the reference agreed with, keeping the
    fields the vector listed (and, for nodes it did not list, the main ones)."""
    nodes = {n['id']: n for n in got['nodes']}
    out = {'emission': {k: got['emission'][k] for k in old['emission']}}
    for k in ['stakeRatio', 'stakerWeightAdjust', 'pools', 'treasury', 'usagePool']:
        out[k] = got[k]
    out['nodes'] = {}
    for nid, n in nodes.items():
        keys = old['nodes'].get(nid) or {k: nodes[nid][k] for k in NEW_NODE_KEYS}
        keys = {**keys, **{k: None for k in ['capacityReward', 'usageReward', 'fee', 'referral', 'locked', 'vested', 'forfeited', 'unvested'] if k not in keys}}
        out['nodes'][nid] = {k: ({kk: n[k][kk] for kk in keys[k]} if isinstance(keys[k], dict) else n[k]) for k in keys}
    for kind in ['validators', 'stakes']:
        have = {x['id']: x for x in got[kind]}
        out[kind] = {i: {k: have[i][k] for k in x} for i, x in old[kind].items()}
    for k in ['attested', 'referrals', 'ignoredAttestations', 'payouts', 'claims', 'vesting']:
        out[k] = got[k]
    return out


def main():
    results = json.load(open(sys.argv[1]))
    write = '--write' in sys.argv
    for f in sorted(DIR.glob('*.json')):
        v = json.load(open(f))
        r = results[f.name]
        lines = vector(f.name, v, r['result'], r['params'])
        v['arithmetic'] = v.get('narrative', []) + lines
        v['expected'] = expected(v['expected'], r['result'])
        print(f'{f.name}: {len(lines)} lines, every figure matches')
        if write:
            f.write_text(json.dumps(v, indent=2, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
