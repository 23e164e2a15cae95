// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RewardDistributor} from "../contracts/RewardDistributor.sol";
import {TestToken} from "../contracts/test/TestToken.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Base, FalseToken, Tree, Vm} from "./Base.sol";

contract RewardDistributorTest is Base {
    event RootPosted(uint256 indexed epoch, bytes32 root);
    event Claimed(address indexed account, uint256 amount, uint256 cumulative);

    address internal constant OPERATOR = address(0x0A);
    address internal constant ALICE = address(0xA1);
    address internal constant BOB = address(0xB0);
    address internal constant CAROL = address(0xCA);

    TestToken internal token;
    RewardDistributor internal dist;

    function setUp() public {
        token = new TestToken();
        dist = new RewardDistributor(IERC20(address(token)), OPERATOR);
        token.mint(address(dist), 1e40); // more than any fuzzed total
    }

    /// the tree of (ALICE a, BOB b, CAROL c); returns its root and the proof of `who`
    function tree3(uint256 a, uint256 b, uint256 c, uint256 who) internal pure returns (bytes32, bytes32[] memory) {
        bytes32[] memory leaves = new bytes32[](3);
        leaves[0] = Tree.leaf(ALICE, a);
        leaves[1] = Tree.leaf(BOB, b);
        leaves[2] = Tree.leaf(CAROL, c);
        return Tree.build(leaves, who);
    }

    function post(uint256 epoch, bytes32 root) internal {
        vm.prank(OPERATOR);
        dist.postRoot(epoch, root);
    }

    // ---- postRoot ----

    function test_constructor_setsTokenAndOperator() public view {
        vm.assertEq(address(dist.token()), address(token), "token");
        vm.assertEq(dist.operator(), OPERATOR, "operator");
        vm.assertFalse(dist.hasRoot(), "no root yet");
    }

    function test_postRoot_emitsAndStores() public {
        (bytes32 root,) = tree3(1, 2, 3, 0);
        vm.expectEmit(true, false, false, true, address(dist));
        emit RootPosted(7, root);
        post(7, root);
        vm.assertEq(dist.root(), root, "root");
        vm.assertEq(dist.roots(7), root, "roots[7]");
        vm.assertEq(dist.latestEpoch(), 7, "latest");
        vm.assertTrue(dist.hasRoot(), "hasRoot");
    }

    function test_postRoot_epochZeroFirst() public {
        post(0, bytes32(uint256(1)));
        vm.assertEq(dist.latestEpoch(), 0, "epoch 0 is a real epoch");
        vm.assertTrue(dist.hasRoot(), "hasRoot");
    }

    function test_postRoot_revertsNotOperator() public {
        vm.prank(ALICE);
        vm.expectRevert(RewardDistributor.NotOperator.selector);
        dist.postRoot(0, bytes32(uint256(1)));
    }

    function test_postRoot_revertsZeroRoot() public {
        vm.prank(OPERATOR);
        vm.expectRevert(RewardDistributor.ZeroRoot.selector);
        dist.postRoot(0, bytes32(0));
    }

    function test_postRoot_revertsSameOrEarlierEpoch() public {
        post(5, bytes32(uint256(1)));
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(RewardDistributor.EpochNotIncreasing.selector, 5, 5));
        dist.postRoot(5, bytes32(uint256(2)));
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(RewardDistributor.EpochNotIncreasing.selector, 4, 5));
        dist.postRoot(4, bytes32(uint256(2)));
        post(6, bytes32(uint256(3)));
        vm.assertEq(dist.roots(5), bytes32(uint256(1)), "an old root stays on record");
    }

    // ---- claim ----

    function test_claim_revertsNoRoot() public {
        (, bytes32[] memory proof) = tree3(10, 20, 30, 0);
        vm.expectRevert(RewardDistributor.NoRoot.selector);
        dist.claim(ALICE, 10, proof);
    }

    function test_claim_paysTheAccountAndEmits() public {
        (bytes32 root, bytes32[] memory proof) = tree3(10, 20, 30, 1);
        post(0, root);
        vm.expectEmit(true, false, false, true, address(dist));
        emit Claimed(BOB, 20, 20);
        vm.prank(CAROL); // anyone may submit; the tokens go to the account in the leaf
        uint256 paid = dist.claim(BOB, 20, proof);
        vm.assertEq(paid, 20, "returned");
        vm.assertEq(token.balanceOf(BOB), 20, "BOB paid");
        vm.assertEq(token.balanceOf(CAROL), 0, "the submitter gets nothing");
        vm.assertEq(dist.claimed(BOB), 20, "claimed");
    }

    function test_claim_revertsInvalidProof() public {
        (bytes32 root, bytes32[] memory proof) = tree3(10, 20, 30, 0);
        post(0, root);
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(ALICE, 11, proof); // another amount
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(BOB, 10, proof); // another account
        (, bytes32[] memory bobs) = tree3(10, 20, 30, 1);
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(ALICE, 10, bobs); // another leaf's proof
    }

    function test_claim_revertsNothingToClaimOnReplay() public {
        (bytes32 root, bytes32[] memory proof) = tree3(10, 20, 30, 0);
        post(0, root);
        dist.claim(ALICE, 10, proof);
        vm.expectRevert(abi.encodeWithSelector(RewardDistributor.NothingToClaim.selector, 10, 10));
        dist.claim(ALICE, 10, proof);
    }

    function test_claim_paysOnlyTheDifferenceNextEpoch() public {
        (bytes32 r0, bytes32[] memory p0) = tree3(10, 20, 30, 0);
        post(0, r0);
        dist.claim(ALICE, 10, p0);
        (bytes32 r1, bytes32[] memory p1) = tree3(25, 20, 30, 0);
        post(1, r1);
        // the old proof no longer matches the latest root
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(ALICE, 10, p0);
        vm.expectEmit(true, false, false, true, address(dist));
        emit Claimed(ALICE, 15, 25);
        vm.assertEq(dist.claim(ALICE, 25, p1), 15, "the difference");
        vm.assertEq(token.balanceOf(ALICE), 25, "cumulative");
    }

    function test_claim_skippedEpochsPaidAtOnce() public {
        (bytes32 r0,) = tree3(10, 20, 30, 2);
        post(0, r0);
        (bytes32 r3, bytes32[] memory p3) = tree3(40, 50, 90, 2);
        post(3, r3);
        vm.assertEq(dist.claim(CAROL, 90, p3), 90, "everything to date with one proof");
    }

    function test_claim_revertsWhenUnfunded() public {
        RewardDistributor empty = new RewardDistributor(IERC20(address(token)), OPERATOR);
        (bytes32 root, bytes32[] memory proof) = tree3(10, 20, 30, 0);
        vm.prank(OPERATOR);
        empty.postRoot(0, root);
        vm.expectRevert(); // the ERC-20 transfer fails; nothing is recorded
        empty.claim(ALICE, 10, proof);
        vm.assertEq(empty.claimed(ALICE), 0, "no claim recorded");
    }

    function test_claim_revertsSafeERC20FailedOperation() public {
        FalseToken bad = new FalseToken();
        RewardDistributor d = new RewardDistributor(IERC20(address(bad)), OPERATOR);
        (bytes32 root, bytes32[] memory proof) = tree3(10, 20, 30, 0);
        vm.prank(OPERATOR);
        d.postRoot(0, root);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(bad)));
        d.claim(ALICE, 10, proof);
        vm.assertEq(d.claimed(ALICE), 0, "nothing recorded");
    }

    // ---- fuzz ----

    /// any cumulative amounts: each account is paid exactly its own, once
    function testFuzz_claim_paysExactlyOnce(uint256 a, uint256 b, uint256 c, uint8 who) public {
        a = bound(a, 1, 1e29);
        b = bound(b, 1, 1e29);
        c = bound(c, 1, 1e29);
        uint256 i = who % 3;
        (bytes32 root, bytes32[] memory proof) = tree3(a, b, c, i);
        post(0, root);
        address acct = i == 0 ? ALICE : i == 1 ? BOB : CAROL;
        uint256 amount = i == 0 ? a : i == 1 ? b : c;
        vm.assertEq(dist.claim(acct, amount, proof), amount, "paid");
        vm.assertEq(token.balanceOf(acct), amount, "balance");
        vm.expectRevert(abi.encodeWithSelector(RewardDistributor.NothingToClaim.selector, amount, amount));
        dist.claim(acct, amount, proof);
    }

    /// a forged proof, a forged amount or a forged account is refused
    function testFuzz_claim_refusesForgeries(uint256 amount, bytes32[] calldata forged, address acct) public {
        amount = bound(amount, 1, 1e29);
        (bytes32 root, bytes32[] memory proof) = tree3(10, 20, 30, 0);
        post(0, root);
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(ALICE, 10, forged);
        vm.assume(amount != 10);
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(ALICE, amount, proof);
        vm.assume(acct != ALICE);
        vm.expectRevert(RewardDistributor.InvalidProof.selector);
        dist.claim(acct, 10, proof);
    }

    /// cumulative totals over two epochs: the second claim pays the increase, a decrease pays nothing
    function testFuzz_claim_cumulative(uint128 first, uint128 second) public {
        vm.assume(first > 0);
        (bytes32 r0, bytes32[] memory p0) = tree3(first, 1, 1, 0);
        post(0, r0);
        dist.claim(ALICE, first, p0);
        (bytes32 r1, bytes32[] memory p1) = tree3(second, 1, 1, 0);
        post(1, r1);
        if (second <= first) {
            vm.expectRevert(abi.encodeWithSelector(RewardDistributor.NothingToClaim.selector, uint256(second), uint256(first)));
            dist.claim(ALICE, second, p1);
        } else {
            vm.assertEq(dist.claim(ALICE, second, p1), uint256(second) - first, "the increase");
        }
        vm.assertEq(token.balanceOf(ALICE), first > second ? first : second, "never more than the largest total");
    }
}

/// @notice Drives a distributor the way the service and its providers do: each epoch the operator
/// posts a root over every account's cumulative total and funds the increase; accounts claim
/// (sometimes twice, sometimes with a stale or inflated amount). Ghost totals for the invariants.
contract DistributorHandler {
    RewardDistributor public immutable dist;
    TestToken public immutable token;
    address public immutable operator;
    address[4] public accounts = [address(0x1001), address(0x1002), address(0x1003), address(0x1004)];
    uint256[4] public cumulative; // in the latest root
    uint256 public epoch;
    bool public posted;
    uint256 public funded;
    uint256 public paid;
    uint256 public wrongfulPayments; // a claim that should have failed but paid

    constructor(RewardDistributor d, TestToken t, address op) {
        dist = d;
        token = t;
        operator = op;
    }

    function leaves() internal view returns (bytes32[] memory l) {
        l = new bytes32[](4);
        for (uint256 i = 0; i < 4; i++) l[i] = Tree.leaf(accounts[i], cumulative[i]);
    }

    /// the next epoch: every account earns up to `seed`'s share, the operator funds the increase
    function settle(uint256 seed) external {
        uint256 increase;
        for (uint256 i = 0; i < 4; i++) {
            uint256 add = uint256(keccak256(abi.encode(seed, i))) % 1e24;
            cumulative[i] += add;
            increase += add;
        }
        (bytes32 root,) = Tree.build(leaves(), 0);
        token.mint(address(dist), increase);
        funded += increase;
        Vm(address(uint160(uint256(keccak256("hevm cheat code"))))).prank(operator);
        dist.postRoot(posted ? epoch + 1 : 0, root);
        if (posted) epoch++;
        posted = true;
    }

    /// an honest claim of everything to date
    function claim(uint256 who) external {
        if (!posted) return;
        uint256 i = who % 4;
        (, bytes32[] memory proof) = Tree.build(leaves(), i);
        uint256 before = token.balanceOf(accounts[i]);
        try dist.claim(accounts[i], cumulative[i], proof) returns (uint256 amount) {
            paid += amount;
            if (token.balanceOf(accounts[i]) - before != amount) wrongfulPayments++;
        } catch {}
    }

    /// a dishonest claim: an inflated or replayed amount with the real proof; must never pay
    function cheat(uint256 who, uint256 extra) external {
        if (!posted) return;
        uint256 i = who % 4;
        (, bytes32[] memory proof) = Tree.build(leaves(), i);
        uint256 amount = extra % 2 == 0 ? cumulative[i] + 1 + (extra % 1e24) : dist.claimed(accounts[i]);
        try dist.claim(accounts[i], amount, proof) returns (uint256 got) {
            wrongfulPayments++;
            paid += got;
        } catch {}
    }

    function account(uint256 i) external view returns (address) {
        return accounts[i];
    }
}

contract RewardDistributorInvariants is Base {
    address internal constant OPERATOR = address(0x0A);
    RewardDistributor internal dist;
    TestToken internal token;
    DistributorHandler internal handler;

    function setUp() public {
        token = new TestToken();
        dist = new RewardDistributor(IERC20(address(token)), OPERATOR);
        handler = new DistributorHandler(dist, token, OPERATOR);
        targetContract(address(handler));
    }

    /// never pays more than the roots it was funded for: what is paid plus what it holds is what it got
    function invariant_paysNoMoreThanFunded() public view {
        vm.assertLe(handler.paid(), handler.funded(), "paid <= funded");
        vm.assertEq(handler.paid() + token.balanceOf(address(dist)), handler.funded(), "paid + held == funded");
    }

    /// no account is paid twice: each has received exactly what the contract records, never more than its total
    function invariant_noAccountPaidTwice() public view {
        vm.assertEq(handler.wrongfulPayments(), 0, "a replayed or inflated claim paid");
        uint256 sum;
        for (uint256 i = 0; i < 4; i++) {
            address a = handler.account(i);
            vm.assertEq(token.balanceOf(a), dist.claimed(a), "received == claimed");
            vm.assertLe(dist.claimed(a), handler.cumulative(i), "claimed <= its cumulative total");
            sum += dist.claimed(a);
        }
        vm.assertEq(sum, handler.paid(), "sum of claims == paid");
    }
}
