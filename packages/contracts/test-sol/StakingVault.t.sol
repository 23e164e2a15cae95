// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {StakingVault} from "../contracts/StakingVault.sol";
import {TestToken} from "../contracts/test/TestToken.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Base, FalseToken, Vm} from "./Base.sol";

contract StakingVaultTest is Base {
    event Bonded(bytes32 indexed node, address indexed owner, uint256 amount);
    event UnbondRequested(bytes32 indexed node, uint256 indexed id, uint256 amount, uint64 releaseAt);
    event Withdrawn(bytes32 indexed node, uint256 indexed id, uint256 amount);
    event Slashed(bytes32 indexed node, uint256 amount, uint256 compensation, uint256 burned, bytes32 evidence);

    address internal constant OPERATOR = address(0x0A);
    address internal constant POOL = address(0xC0);
    address internal constant ALICE = address(0xA1);
    address internal constant BOB = address(0xB0);
    address internal constant BURN = 0x000000000000000000000000000000000000dEaD;
    uint256 internal constant DELAY = 14 days;
    bytes32 internal constant NODE = keccak256("node-1");
    bytes32 internal constant EVIDENCE = keccak256("evidence");

    TestToken internal token;
    StakingVault internal vault;

    function setUp() public {
        vm.warp(1_800_000_000);
        token = new TestToken();
        vault = new StakingVault(IERC20(address(token)), OPERATOR, POOL, DELAY);
        for (uint256 i = 0; i < 2; i++) {
            address a = i == 0 ? ALICE : BOB;
            token.mint(a, 1e30);
            vm.prank(a);
            token.approve(address(vault), type(uint256).max);
        }
    }

    function bond(address who, uint256 amount) internal {
        vm.prank(who);
        vault.bond(NODE, amount);
    }

    function unbond(uint256 amount) internal returns (uint256) {
        vm.prank(ALICE);
        return vault.requestUnbond(NODE, amount);
    }

    function slash(uint256 amount, uint256 bps) internal {
        vm.prank(OPERATOR);
        vault.slash(NODE, amount, bps, EVIDENCE);
    }

    // ---- bond ----

    function test_bond_firstBonderOwnsAndEmits() public {
        vm.expectEmit(true, true, false, true, address(vault));
        emit Bonded(NODE, ALICE, 1000);
        bond(ALICE, 1000);
        bond(ALICE, 500);
        vm.assertEq(vault.ownerOf(NODE), ALICE, "owner");
        vm.assertEq(vault.bonded(NODE), 1500, "bonded");
        vm.assertEq(token.balanceOf(address(vault)), 1500, "held");
    }

    function test_bond_revertsZeroAmount() public {
        vm.prank(ALICE);
        vm.expectRevert(StakingVault.ZeroAmount.selector);
        vault.bond(NODE, 0);
    }

    function test_bond_revertsNotOwner() public {
        bond(ALICE, 1000);
        vm.prank(BOB);
        vm.expectRevert(StakingVault.NotOwner.selector);
        vault.bond(NODE, 1);
    }

    function test_bond_revertsWithoutAllowance() public {
        address carol = address(0xCA);
        token.mint(carol, 10);
        vm.prank(carol);
        vm.expectRevert();
        vault.bond(NODE, 10);
        vm.assertEq(vault.ownerOf(NODE), address(0), "no owner recorded");
    }

    function test_bond_revertsSafeERC20FailedOperation() public {
        FalseToken bad = new FalseToken();
        StakingVault v = new StakingVault(IERC20(address(bad)), OPERATOR, POOL, DELAY);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(bad)));
        v.bond(NODE, 10);
        vm.assertEq(v.bonded(NODE), 0, "nothing bonded");
    }

    // ---- requestUnbond ----

    function test_unbond_movesToQueueAndEmits() public {
        bond(ALICE, 1000);
        vm.expectEmit(true, true, false, true, address(vault));
        emit UnbondRequested(NODE, 0, 400, uint64(block.timestamp + DELAY));
        vm.assertEq(unbond(400), 0, "first id");
        vm.assertEq(unbond(100), 1, "second id");
        vm.assertEq(vault.bonded(NODE), 500, "bonded");
        (uint256 amount, uint64 releaseAt) = vault.unbonding(NODE, 0);
        vm.assertEq(amount, 400, "queued");
        vm.assertEq(releaseAt, block.timestamp + DELAY, "release");
    }

    function test_unbond_revertsNotOwner() public {
        bond(ALICE, 1000);
        vm.prank(BOB);
        vm.expectRevert(StakingVault.NotOwner.selector);
        vault.requestUnbond(NODE, 1);
    }

    function test_unbond_revertsZeroAmount() public {
        bond(ALICE, 1000);
        vm.prank(ALICE);
        vm.expectRevert(StakingVault.ZeroAmount.selector);
        vault.requestUnbond(NODE, 0);
    }

    function test_unbond_revertsInsufficientBond() public {
        bond(ALICE, 1000);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.InsufficientBond.selector, 1000, 1001));
        vault.requestUnbond(NODE, 1001);
    }

    // ---- withdraw ----

    function test_withdraw_afterDelayAndEmits() public {
        bond(ALICE, 1000);
        unbond(400);
        uint256 before = token.balanceOf(ALICE);
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit(true, true, false, true, address(vault));
        emit Withdrawn(NODE, 0, 400);
        vm.prank(ALICE);
        vault.withdraw(NODE, 0);
        vm.assertEq(token.balanceOf(ALICE) - before, 400, "paid back");
        (uint256 amount,) = vault.unbonding(NODE, 0);
        vm.assertEq(amount, 0, "spent");
    }

    function test_withdraw_revertsNotReleased() public {
        bond(ALICE, 1000);
        unbond(400);
        uint64 releaseAt = uint64(block.timestamp + DELAY);
        vm.warp(releaseAt - 1);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.NotReleased.selector, releaseAt));
        vault.withdraw(NODE, 0);
    }

    function test_withdraw_revertsNotOwner() public {
        bond(ALICE, 1000);
        unbond(400);
        vm.warp(block.timestamp + DELAY);
        vm.prank(BOB);
        vm.expectRevert(StakingVault.NotOwner.selector);
        vault.withdraw(NODE, 0);
    }

    function test_withdraw_revertsNoSuchUnbonding() public {
        bond(ALICE, 1000);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.NoSuchUnbonding.selector, 0));
        vault.withdraw(NODE, 0);
    }

    function test_withdraw_revertsZeroAmountTheSecondTime() public {
        bond(ALICE, 1000);
        unbond(400);
        vm.warp(block.timestamp + DELAY);
        vm.startPrank(ALICE);
        vault.withdraw(NODE, 0);
        vm.expectRevert(StakingVault.ZeroAmount.selector);
        vault.withdraw(NODE, 0);
        vm.stopPrank();
    }

    // ---- slash ----

    function test_slash_bondFirstThenNewestUnbondingAndEmits() public {
        bond(ALICE, 1000);
        unbond(300); // id 0
        vm.warp(block.timestamp + 1 days);
        unbond(600); // id 1: 100 stays bonded
        vm.expectEmit(true, false, false, true, address(vault));
        emit Slashed(NODE, 800, 200, 600, EVIDENCE);
        slash(800, 2_500);
        vm.assertEq(vault.bonded(NODE), 0, "bond first");
        (uint256 newest,) = vault.unbonding(NODE, 1);
        (uint256 oldest,) = vault.unbonding(NODE, 0);
        vm.assertEq(newest, 0, "then the newest unbonding");
        vm.assertEq(oldest, 200, "then older ones");
        vm.assertEq(token.balanceOf(POOL), 200, "compensation");
        vm.assertEq(token.balanceOf(BURN), 600, "burned");
        vm.assertEq(token.balanceOf(address(vault)), 200, "what is left");
    }

    function test_slash_skipsReleasedUnbondings() public {
        bond(ALICE, 1000);
        unbond(1000);
        vm.warp(block.timestamp + DELAY);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.InsufficientBond.selector, 0, 1));
        vault.slash(NODE, 1, 0, EVIDENCE);
    }

    function test_slash_revertsNotOperator() public {
        bond(ALICE, 1000);
        vm.prank(ALICE);
        vm.expectRevert(StakingVault.NotOperator.selector);
        vault.slash(NODE, 1, 0, EVIDENCE);
    }

    function test_slash_revertsInvalidShare() public {
        bond(ALICE, 1000);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.InvalidShare.selector, 10_001));
        vault.slash(NODE, 1, 10_001, EVIDENCE);
    }

    function test_slash_revertsZeroAmount() public {
        bond(ALICE, 1000);
        vm.prank(OPERATOR);
        vm.expectRevert(StakingVault.ZeroAmount.selector);
        vault.slash(NODE, 0, 0, EVIDENCE);
    }

    function test_slash_revertsInsufficientBond() public {
        bond(ALICE, 1000);
        unbond(300);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.InsufficientBond.selector, 1000, 1001));
        vault.slash(NODE, 1001, 0, EVIDENCE);
    }

    // ---- fuzz ----

    /// a slash of any size up to what is slashable: taken exactly, split exactly, the rest intact
    function testFuzz_slash_arbitrarySize(uint256 bonded, uint256 unbonding, uint256 amount, uint256 bps) public {
        bonded = bound(bonded, 1, 1e28);
        unbonding = bound(unbonding, 0, bonded);
        bps = bound(bps, 0, 10_000);
        bond(ALICE, bonded);
        if (unbonding > 0) unbond(unbonding);
        amount = bound(amount, 1, bonded);
        uint256 held = token.balanceOf(address(vault));
        slash(amount, bps);
        uint256 comp = (amount * bps) / 10_000;
        vm.assertEq(token.balanceOf(POOL), comp, "compensation share");
        vm.assertEq(token.balanceOf(BURN), amount - comp, "the rest burned");
        vm.assertEq(held - token.balanceOf(address(vault)), amount, "exactly the amount left the vault");
        uint256 queued;
        if (unbonding > 0) (queued,) = vault.unbonding(NODE, 0);
        vm.assertEq(vault.bonded(NODE) + queued, bonded - amount, "bond + unbonding reduced by the amount");
        uint256 fromBond = amount < bonded - unbonding ? amount : bonded - unbonding;
        vm.assertEq(vault.bonded(NODE), bonded - unbonding - fromBond, "from the bond first");
    }

    /// more than is slashable is refused, and changes nothing
    function testFuzz_slash_neverMoreThanBonded(uint256 bonded, uint256 excess) public {
        bonded = bound(bonded, 1, 1e28);
        excess = bound(excess, 1, 1e28);
        bond(ALICE, bonded);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.InsufficientBond.selector, bonded, bonded + excess));
        vault.slash(NODE, bonded + excess, 5_000, EVIDENCE);
        vm.assertEq(vault.bonded(NODE), bonded, "unchanged");
    }

    /// unbonding never releases early, whatever the amount and the time
    function testFuzz_withdraw_notBeforeDelay(uint256 amount, uint256 wait) public {
        amount = bound(amount, 1, 1e28);
        wait = bound(wait, 0, DELAY - 1);
        bond(ALICE, amount);
        unbond(amount);
        vm.warp(block.timestamp + wait);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(StakingVault.NotReleased.selector, uint64(block.timestamp - wait + DELAY)));
        vault.withdraw(NODE, 0);
    }
}

/// @notice Random bonds, unbonds, withdrawals, slashes and the passing of time over three nodes of
/// two owners, with ghost totals: what went in, what came out, and each slash's reach.
contract VaultHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    StakingVault public immutable vault;
    TestToken public immutable token;
    address public immutable operator;
    bytes32[3] public nodes = [keccak256("n0"), keccak256("n1"), keccak256("n2")];
    address[2] public owners = [address(0x2001), address(0x2002)];
    mapping(bytes32 => uint256) public queued; // unbondings made per node
    uint256 public slashTooFar; // a slash that took more than bond + unreleased unbondings
    uint256 public paidIn;
    uint256 public paidOut;
    /// forge's invariant runner does not keep a warp from one call to the next: each call restores it
    uint256 public time = block.timestamp;

    modifier atTime() {
        vm.warp(time);
        _;
    }

    constructor(StakingVault v, TestToken t, address op) {
        vault = v;
        token = t;
        operator = op;
        for (uint256 i = 0; i < 2; i++) {
            t.mint(owners[i], 1e30);
            vm.prank(owners[i]);
            t.approve(address(v), type(uint256).max);
        }
    }

    function ownerOf(uint256 n) internal view returns (address) {
        address o = vault.ownerOf(nodes[n]);
        return o == address(0) ? owners[n % 2] : o;
    }

    function bond(uint256 n, uint256 amount) external atTime {
        n %= 3;
        amount = 1 + (amount % 1e24);
        vm.prank(ownerOf(n));
        vault.bond(nodes[n], amount);
        paidIn += amount;
    }

    function requestUnbond(uint256 n, uint256 amount) external atTime {
        n %= 3;
        uint256 b = vault.bonded(nodes[n]);
        if (b == 0) return;
        amount = 1 + (amount % b);
        vm.prank(ownerOf(n));
        vault.requestUnbond(nodes[n], amount);
        queued[nodes[n]]++;
    }

    function withdraw(uint256 n, uint256 id) external atTime {
        n %= 3;
        uint256 count = queued[nodes[n]];
        if (count == 0) return;
        id %= count;
        (uint256 amount, uint64 releaseAt) = vault.unbonding(nodes[n], id);
        if (amount == 0 || block.timestamp < releaseAt) return;
        vm.prank(ownerOf(n));
        vault.withdraw(nodes[n], id);
        paidOut += amount;
    }

    function slash(uint256 n, uint256 amount, uint256 bps) external atTime {
        n %= 3;
        uint256 slashable = slashableOf(nodes[n]);
        if (slashable == 0) return;
        amount = 1 + (amount % slashable);
        uint256 before = slashableOf(nodes[n]);
        vm.prank(operator);
        vault.slash(nodes[n], amount, bps % 10_001, bytes32(amount));
        if (before - slashableOf(nodes[n]) != amount) slashTooFar++;
        paidOut += amount;
    }

    /// an over-large slash (often by one unit, the edge) must be refused
    function overSlash(uint256 n, uint256 extra) external atTime {
        n %= 3;
        uint256 amount = slashableOf(nodes[n]) + (extra % 2 == 0 ? 1 : 1 + (extra % 1e24));
        vm.prank(operator); // after the reads: a prank applies to the next call only
        try vault.slash(nodes[n], amount, 0, bytes32(0)) {
            slashTooFar++;
        } catch {}
    }

    function wait(uint256 secs) external {
        time += secs % 20 days;
    }

    /// the bond plus every unbonding not yet released: what a slash may reach
    function slashableOf(bytes32 node) public view returns (uint256 s) {
        s = vault.bonded(node);
        for (uint256 i = 0; i < queued[node]; i++) {
            (uint256 a, uint64 r) = vault.unbonding(node, i);
            if (time < r) s += a;
        }
    }

    /// the bond plus every unbonding not withdrawn (released or not)
    function heldFor(bytes32 node) public view returns (uint256 s) {
        s = vault.bonded(node);
        for (uint256 i = 0; i < queued[node]; i++) {
            (uint256 a,) = vault.unbonding(node, i);
            s += a;
        }
    }

    function node(uint256 i) external view returns (bytes32) {
        return nodes[i];
    }
}

contract StakingVaultInvariants is Base {
    address internal constant OPERATOR = address(0x0A);
    StakingVault internal vault;
    TestToken internal token;
    VaultHandler internal handler;

    function setUp() public {
        vm.warp(1_800_000_000);
        token = new TestToken();
        vault = new StakingVault(IERC20(address(token)), OPERATOR, address(0xC0), 14 days);
        handler = new VaultHandler(vault, token, OPERATOR);
        targetContract(address(handler));
    }

    /// the vault's balance is its bonds plus its unbondings, and what came in less what went out
    function invariant_heldEqualsBondsPlusUnbondings() public view {
        uint256 sum;
        for (uint256 i = 0; i < 3; i++) sum += handler.heldFor(handler.node(i));
        vm.assertEq(token.balanceOf(address(vault)), sum, "balance == bonds + unbondings");
        vm.assertEq(handler.paidIn() - handler.paidOut(), sum, "in - out == bonds + unbondings");
    }

    /// a slash never takes more than the bond and the unreleased unbondings
    function invariant_slashNeverExceedsBonded() public view {
        vm.assertEq(handler.slashTooFar(), 0, "a slash exceeded what was bonded");
    }
}
