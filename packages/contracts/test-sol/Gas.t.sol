// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RewardDistributor} from "../contracts/RewardDistributor.sol";
import {TestToken} from "../contracts/test/TestToken.sol";
import {Base, Tree} from "./Base.sol";

/// @notice The calls the README's gas table reports (`npm run gas -w @swarm/contracts`), at the
/// size that matters: a proof of 20 siblings is a tree of ~1M payees.
contract GasTest is Base {
    address internal constant OPERATOR = address(0x0A);
    TestToken internal token;
    RewardDistributor internal dist;

    function setUp() public {
        token = new TestToken();
        dist = new RewardDistributor(IERC20(address(token)), OPERATOR);
        token.mint(address(dist), 1e30);
    }

    /// a valid proof of `depth` siblings: the root is whatever hashing the leaf up through them gives
    function pathTo(address account, uint256 cumulative, uint256 depth, uint256 seed) internal pure returns (bytes32 root, bytes32[] memory proof) {
        proof = new bytes32[](depth);
        root = Tree.leaf(account, cumulative);
        for (uint256 i = 0; i < depth; i++) {
            proof[i] = keccak256(abi.encode(seed, i));
            root = root < proof[i] ? keccak256(abi.encode(root, proof[i])) : keccak256(abi.encode(proof[i], root));
        }
    }

    function post(uint256 epoch, bytes32 root) internal {
        vm.prank(OPERATOR);
        dist.postRoot(epoch, root);
    }

    function test_gas_postRoot_firstAndNext() public {
        post(0, keccak256("r0"));
        post(1, keccak256("r1"));
    }

    /// a payee's first claim (a new token holder) and its next one, each with a 20-sibling proof
    function test_gas_claim_1MPayees() public {
        address payee = address(0xBEEF);
        (bytes32 r0, bytes32[] memory p0) = pathTo(payee, 5e18, 20, 1);
        post(0, r0);
        dist.claim(payee, 5e18, p0);
        (bytes32 r1, bytes32[] memory p1) = pathTo(payee, 9e18, 20, 2);
        post(1, r1);
        dist.claim(payee, 9e18, p1);
        vm.assertEq(token.balanceOf(payee), 9e18, "paid");
    }
}
